"""Training (INF-3): a person's hours this year are counted from the sessions they took
part in; the typed hours of before were moved into one recorded session per person."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.information.facts import hours_this_year
from fangfan.information.models import TrainingParticipant, TrainingSession
from fangfan.resources.models import Person
from fangfan.standards import facts


def _session(unit, day, hours, *people, kind="training"):
    s = services.create_record(None, TrainingSession, {
        "unit": unit, "kind": kind, "held_on": day, "topic": "防暴器械使用", "hours": hours})
    for p in people:
        services.create_record(None, TrainingParticipant, {"unit": unit, "session": s,
                                                           "person": p})
    return s


def test_hours_this_year_are_counted_from_sessions(tree, make_user, client,
                                                   django_assert_max_num_queries):
    a = tree["a"]
    g1 = services.create_record(None, Person, {"unit": a, "name": "甲", "is_guard": True})
    g2 = services.create_record(None, Person, {"unit": a, "name": "乙", "is_guard": True})
    today = timezone.localdate()
    _session(a, today, Decimal("2.5"), g1, g2)
    _session(a, today, 4, g1)
    _session(a, today.replace(year=today.year - 1), 8, g2)  # last year: not counted
    hours = dict(Person.objects.annotate(h=hours_this_year()).values_list("name", "h"))
    assert hours == {"甲": Decimal("6.5"), "乙": Decimal("2.5")}
    got = facts.compute(Q(unit_path=a.path), {"training_hours_min_guard"})
    assert got[a.path]["training_hours_min_guard"] == 2.5
    services.create_record(None, Person, {"unit": a, "name": "丙", "is_guard": True})
    got = facts.compute(Q(unit_path=a.path), {"training_hours_min_guard"})
    assert got[a.path]["training_hours_min_guard"] == 0  # a guard never trained
    # the person's page says the hours, the unit's training ledger lists everyone
    client.force_login(make_user(Role.UNIT_ADMIN, a))
    page = client.get(g1.get_absolute_url())
    assert 'data-testid="training-hours">6.5<' in page.text
    with django_assert_max_num_queries(12):
        ledger = client.get(reverse("information-training-hours-unit", args=[a.code]))
    assert ledger.status_code == 200 and "6.5" in ledger.text and "丙" in ledger.text


def test_audience_only_for_publicity(tree):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="publicity activities only"):
        services.create_record(None, TrainingSession, {
            "unit": tree["a"], "kind": "training", "held_on": timezone.localdate(),
            "topic": "x", "hours": 1, "audience": 300})
    assert not TrainingSession.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_typed_hours_become_one_recorded_session_per_person():
    before = [("information", "0001_initial"), ("resources", "0010_funding_hazmat_buses")]
    after = [("information", "0002_training_hours_into_sessions"),
             ("resources", "0011_remove_person_training_hours")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Unit = old.get_model("core", "Unit")
    unit = Unit.objects.create(code="m", name="迁移小学", kind="school", path="00000099")
    OldPerson = old.get_model("resources", "Person")
    for name, hours in (("甲", 12), ("乙", 0)):
        OldPerson.objects.create(unit=unit, unit_path=unit.path, name=name,
                                 training_hours=hours)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    sessions = list(TrainingSession.objects.all())
    assert len(sessions) == 1 and sessions[0].hours == 12
    assert sessions[0].held_on <= timezone.localdate() <= sessions[0].held_on + dt.timedelta(1)
    assert [p.person.name for p in sessions[0].participants.all()] == ["甲"]
    assert "training_hours" not in {f.name for f in Person._meta.get_fields()}
