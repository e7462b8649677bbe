"""Escalation of hazards with the clock given (issue 9): reminder before the deadline,
overdue at it, the authority after the grace days; each once however often it runs."""
from __future__ import annotations

import datetime as dt

import pytest

from fangfan.core import services
from fangfan.core.models import Notification, Role
from fangfan.inspections import escalation
from fangfan.inspections.models import Hazard, HazardStep
from fangfan.resources.models import Person

DAY = dt.date(2026, 11, 2)


@pytest.fixture
def setup(tree, make_user, settings):
    settings.FANGFAN_HAZARD_GRACE_DAYS = 3
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    principal = make_user(Role.PRINCIPAL, tree["a"])
    supervisor = make_user(Role.SUPERVISOR, tree["district"])
    city = make_user(Role.SUPERVISOR, tree["city"])
    person = services.create_record(None, Person, {"unit": tree["a"], "name": "杨阳"})
    hazard = services.create_record(admin, Hazard, {
        "unit": tree["a"], "title": "信息中心门禁失效", "found_on": DAY,
        "responsible": person, "deadline": DAY + dt.timedelta(days=10)})
    return {"admin": admin, "principal": principal, "supervisor": supervisor, "city": city,
            "hazard": hazard, "person": person}


def _inbox(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_each_stage_once_on_its_day(setup):
    h, admin, sup = setup["hazard"], setup["admin"], setup["supervisor"]
    assert escalation.run(DAY) == {"reminded": 0, "overdue": 0, "escalated": 0}
    day = h.deadline - dt.timedelta(days=3)
    assert escalation.run(day)["reminded"] == 1
    assert escalation.run(day)["reminded"] == 0  # twice: once
    assert len(_inbox(admin)) == len(_inbox(setup["principal"])) == 1
    late = h.deadline + dt.timedelta(days=1)
    assert escalation.run(late) == {"reminded": 0, "overdue": 1, "escalated": 0}
    assert _inbox(sup) == []
    assert escalation.run(late)["overdue"] == 0
    grace_over = h.deadline + dt.timedelta(days=4)
    assert escalation.run(grace_over)["escalated"] == 1
    assert escalation.run(grace_over)["escalated"] == 0
    assert len(_inbox(sup)) == 1 and _inbox(setup["city"]) == []  # the unit above only
    h.refresh_from_db()
    assert h.escalated_on == grace_over
    assert Notification.objects.get(user=sup).urgent


def test_no_escalation_within_the_grace_days(setup):
    h = setup["hazard"]
    assert escalation.run(h.deadline + dt.timedelta(days=3))["escalated"] == 0


def test_a_new_deadline_reminds_again(setup):
    h, admin = setup["hazard"], setup["admin"]
    escalation.run(h.deadline + dt.timedelta(days=1))
    services.create_record(admin, HazardStep, {
        "unit": h.unit, "hazard": h, "kind": "rectify", "note": "临时加锁",
        "done_on": DAY + dt.timedelta(days=1)})
    services.create_record(setup["supervisor"], HazardStep, {
        "unit": h.unit, "hazard": h, "kind": "return", "note": "需更换门禁",
        "done_on": DAY + dt.timedelta(days=2)})
    services.create_record(admin, HazardStep, {
        "unit": h.unit, "hazard": h, "kind": "assign", "responsible": setup["person"],
        "deadline": DAY + dt.timedelta(days=30), "done_on": DAY + dt.timedelta(days=2)})
    h.refresh_from_db()
    assert (h.reminded_on, h.overdue_notified_on) == (None, None)
    assert escalation.run(DAY + dt.timedelta(days=28))["reminded"] == 1


def test_closed_hazards_are_left_alone(setup):
    h = setup["hazard"]
    Hazard.objects.filter(pk=h.pk).update(status="closed", closed_on=DAY)
    assert escalation.run(h.deadline + dt.timedelta(days=9)) == {
        "reminded": 0, "overdue": 0, "escalated": 0}


def test_a_pass_with_nothing_due_reads_no_hazard(setup, tree, django_assert_num_queries):
    """Three queries of ids over the (status, deadline) index, however many hazards are
    open: nothing is loaded, claimed or told when nothing is due."""
    for i in range(30):
        Hazard.objects.create(unit=tree["b"], unit_path=tree["b"].path, title=f"h{i}",
                              status="assigned", found_on=DAY,
                              deadline=DAY + dt.timedelta(days=20 + i))
    with django_assert_num_queries(3):
        assert escalation.run(DAY) == {"reminded": 0, "overdue": 0, "escalated": 0}


def test_many_due_at_once_each_told_once(setup, tree):
    """A batch claims each hazard and tells its unit's leads; a unit with nobody to tell
    (school B) has its hazards claimed all the same, so they are not due again."""
    deadline = DAY + dt.timedelta(days=10)
    for unit in (tree["a"], tree["b"]):
        Hazard.objects.bulk_create([
            Hazard(unit=unit, unit_path=unit.path, title=f"h{i}", status="assigned",
                   found_on=DAY, deadline=deadline) for i in range(12)])
    late = deadline + dt.timedelta(days=1)
    assert escalation.run(late)["overdue"] == 25  # with the fixture's own
    assert escalation.run(late)["overdue"] == 0
    assert len(_inbox(setup["admin"])) == 13 and len(_inbox(setup["principal"])) == 13
    assert not Hazard.objects.filter(overdue_notified_on__isnull=True).exists()
