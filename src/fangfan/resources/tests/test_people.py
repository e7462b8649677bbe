"""RES-1 in depth: certificates with expiry and reminders, background checks at hiring and
every year (Minors Protection Law Art. 62) feeding the standards engine."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Notification, Role
from fangfan.core.tests.helpers import refused
from fangfan.resources.models import BackgroundCheck, Certificate, Person
from fangfan.resources.tasks import remind_expiring_certificates
from fangfan.standards import engine, facts
from fangfan.standards.models import Result


def today():
    """Read per use, not at import: a run crossing midnight (Beijing) stays right."""
    return timezone.localdate()



def person(unit, name, **extra):
    return services.create_record(None, Person, {"unit": unit, "name": name, **extra})


def certificate(unit, who, **extra):
    return services.create_record(None, Certificate, {
        "unit": unit, "person": who, "kind": "guard_licence",
        "issued_on": today() - dt.timedelta(days=400), **extra})


def test_certificate_refusals(tree):
    guard = person(tree["a"], "保安", is_guard=True)
    message = refused("expires_on", certificate, tree["a"], guard,
                      expires_on=today() - dt.timedelta(days=401))
    assert "before it was issued" in message
    refused("person", certificate, tree["a"], person(tree["b"], "外人"))
    refused("issued_on", certificate, tree["a"], guard,
            issued_on=today() + dt.timedelta(days=2))
    assert not Certificate.objects.exists()


def test_expiry_reminder_once_per_certificate_and_again_after_renewal(tree, make_user):
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    guard = person(tree["a"], "保安", is_guard=True)
    soon = certificate(tree["a"], guard, expires_on=today() + dt.timedelta(days=20))
    certificate(tree["a"], guard, kind="first_aid", expires_on=today() + dt.timedelta(days=90))
    assert remind_expiring_certificates() == 1
    assert remind_expiring_certificates() == 0
    note = Notification.objects.get(user=admin)
    assert "保安" in note.title and note.link == soon.get_absolute_url()
    services.update_record(None, soon, {"expires_on": today() + dt.timedelta(days=25)})
    assert remind_expiring_certificates() == 1


def test_background_checks_and_licences_feed_the_engine(tree):
    teacher = person(tree["a"], "教师")
    guard = person(tree["a"], "保安", is_guard=True, contact_with_minors=False)
    values = facts.compute_unit(tree["a"].path)[tree["a"].path]
    assert values["background_checks_overdue"] == 1  # the guard is not in contact
    assert values["guards_without_licence"] == 1

    def law_62():
        engine.evaluate_units([tree["a"].path])
        return Result.objects.get(unit=tree["a"], requirement__urn__endswith="mpl-62-background")

    assert (law_62().status, law_62().actual) == ("unmet", 1)
    services.create_record(None, BackgroundCheck, {
        "unit": tree["a"], "person": teacher, "kind": "hiring",
        "checked_on": today() - dt.timedelta(days=366)})
    assert law_62().status == "unmet"  # older than a year: the yearly re-check is overdue
    services.create_record(None, BackgroundCheck, {
        "unit": tree["a"], "person": teacher, "kind": "yearly", "checked_on": today()})
    assert law_62().status == "met"
    certificate(tree["a"], guard, expires_on=today() + dt.timedelta(days=300))
    values = facts.compute_unit(tree["a"].path)[tree["a"].path]
    assert values["guards_without_licence"] == 0 and values["certificates_expired"] == 0
    # a person counted once, however many checks or certificates they have
    services.create_record(None, BackgroundCheck, {
        "unit": tree["a"], "person": teacher, "kind": "yearly",
        "checked_on": today() - dt.timedelta(days=1)})
    for days in (10, 20):
        certificate(tree["a"], guard, kind="first_aid",
                    expires_on=today() - dt.timedelta(days=days))
    values = facts.compute_unit(tree["a"].path)[tree["a"].path]
    assert values["background_checks_overdue"] == 0
    assert values["certificates_expired"] == 1 and values["guards_without_licence"] == 0
    refused("checked_on", services.create_record, None, BackgroundCheck, {
        "unit": tree["a"], "person": teacher, "kind": "yearly",
        "checked_on": today() + dt.timedelta(days=1)})


def test_person_page_lists_certificates_and_checks(tree, make_user, client):
    guard = person(tree["a"], "保安", is_guard=True)
    certificate(tree["a"], guard, number="苏保证123")
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    html = client.get(guard.get_absolute_url()).content.decode()
    assert 'id="children-certificates"' in html and "苏保证123" in html
    assert 'id="children-background-checks"' in html
