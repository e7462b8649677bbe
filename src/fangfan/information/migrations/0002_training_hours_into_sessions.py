"""Training hours typed on people (Person.training_hours) become recorded sessions: one
per person with hours, "Training recorded before sessions were kept", with the person as
its participant, so the hours this year are counted from sessions from now on. The field
is removed by resources 0011, which runs after this."""
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

TOPIC = "培训学时（启用培训记录前登记）"  # Training recorded before sessions were kept
MAX_HOURS = Decimal("999.9")  # the session's hours column


def forwards(apps, schema_editor):
    Person = apps.get_model("resources", "Person")
    Session = apps.get_model("information", "TrainingSession")
    Participant = apps.get_model("information", "TrainingParticipant")
    today = timezone.localdate()
    for person in Person.objects.filter(training_hours__gt=0).iterator():
        session = Session.objects.create(
            unit_id=person.unit_id, unit_path=person.unit_path, kind="training",
            held_on=today, topic=TOPIC, trainer="",
            hours=min(Decimal(person.training_hours), MAX_HOURS))
        Participant.objects.create(unit_id=person.unit_id, unit_path=person.unit_path,
                                   session=session, person=person)


def backwards(apps, schema_editor):
    """Give each person the hours of the sessions made above back (the field is back
    by then: resources 0011 reversed first)."""
    Participant = apps.get_model("information", "TrainingParticipant")
    Person = apps.get_model("resources", "Person")
    for p in Participant.objects.filter(session__topic=TOPIC).select_related("session"):
        Person.objects.filter(pk=p.person_id).update(training_hours=int(p.session.hours))
    apps.get_model("information", "TrainingSession").objects.filter(topic=TOPIC).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("information", "0001_initial"),
        ("resources", "0009_person_user"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
