"""Alert levels (SPEC EMG-1, R-ALERT): issuing, changing and standing down a level,
each unit's measures with its numbers, acknowledgement and ticking, every refusal."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangfan.alerts import services as alerts
from fangfan.alerts.models import AlertChange, AlertMeasure, AlertOrder, UnitAlert
from fangfan.core import services
from fangfan.core.models import AuditEntry, Role
from fangfan.core.tests.helpers import refused
from fangfan.resources.models import Location


def _issue(actor, unit, level=3, **extra):
    now = timezone.now()
    return services.create_record(actor, AlertOrder, {
        "unit": unit, "level": level, "reason": "持刀伤人事件", "starts_at":
        now - dt.timedelta(minutes=5), "ends_at": now + dt.timedelta(days=3), **extra})


@pytest.fixture
def district_supervisor(tree, make_user):
    return make_user(Role.SUPERVISOR, tree["district"])


def test_issuing_puts_every_unit_below_under_the_level(tree, district_supervisor):
    order = _issue(district_supervisor, tree["district"], 3)
    got = {a.unit.code: a for a in UnitAlert.objects.filter(order=order)}
    assert set(got) == {"school-a", "school-b"}
    a = got["school-a"]
    # 甲小学: 80 staff + 900 students → R-STAFF 2 full-time guards → ceil(1.3·2) = 3.
    assert (a.baseline, a.baseline_source, a.guards_required) == (2, "staffing", 3)
    assert a.measures_total == 6 and a.measures_done == 0
    assert AlertMeasure.objects.filter(unit_alert=a).count() == 6
    assert order.units_count == 2
    assert AuditEntry.objects.filter(record_type="alerts.alertorder",
                                     record_id=str(order.pk), action="create").exists()
    assert AlertChange.objects.filter(order=order, kind="issued").count() == 1


def test_kinds_and_stages_narrow_the_units(tree, district_supervisor):
    order = _issue(district_supervisor, tree["district"], 2, stages=["secondary"])
    assert not UnitAlert.objects.filter(order=order).exists()
    order = _issue(district_supervisor, tree["district"], 2, kinds=["school"],
                   stages=["primary"])
    assert UnitAlert.objects.filter(order=order).count() == 2


def test_measures_carry_the_units_numbers(tree, district_supervisor):
    for name in ("南校门", "食堂", "配电房"):
        services.create_record(None, Location, {"unit": tree["a"], "name": name,
                                                "kind": "other", "is_key": True})
    order = _issue(district_supervisor, tree["district"], 1)
    a = UnitAlert.objects.get(order=order, unit=tree["a"])
    assert a.key_locations == 3 and a.guards_required == 4  # 2·B
    texts = {m.code: m.text for m in a.measures.all()}
    assert len(texts) == 17
    assert "3 key locations, at least 6 guards" in texts["key_two"]
    assert "At least 4 guards on duty: the normal 2 plus at least 100%" in texts["guards"]
    assert "around the clock" in texts["lead"]


def test_raise_lower_and_stand_down(tree, district_supervisor, make_user):
    order = _issue(district_supervisor, tree["district"], 3)
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    a = UnitAlert.objects.get(order=order, unit=tree["a"])
    alerts.acknowledge(admin, a)
    comms = a.measures.get(code="comms")
    alerts.report(admin, comms, True, note="畅通")
    alerts.change_level(district_supervisor, order, 1)  # raised
    a.refresh_from_db()
    assert (a.level, a.guards_required, a.measures_total, a.measures_done) == (1, 4, 17, 1)
    assert a.acknowledged_at is None  # to acknowledge again
    assert a.measures.get(code="comms").done  # a measure of both levels stays done
    alerts.change_level(district_supervisor, order, 2)  # lowered
    a.refresh_from_db()
    assert (a.level, a.guards_required, a.measures_total) == (2, 3, 11)
    assert not a.measures.filter(code="hq").exists()
    assert [c.kind for c in order.changes.all()] == ["issued", "raised", "lowered"]
    updates = AuditEntry.objects.filter(record_type="alerts.alertorder",
                                        record_id=str(order.pk), action="update")
    assert [e.after.get("level") for e in updates.order_by("seq")] == [1, 2]
    alerts.stand_down(district_supervisor, order)
    order.refresh_from_db()
    assert order.stood_down_at is not None and not order.in_force()
    assert order.changes.last().kind == "stood_down"
    with pytest.raises(ValidationError):
        alerts.change_level(district_supervisor, order, 3)
    with pytest.raises(ValidationError):
        alerts.stand_down(district_supervisor, order)
    with pytest.raises(ValidationError):
        alerts.acknowledge(admin, a)


def test_refusals_when_issuing(tree, make_user, district_supervisor):
    count = AlertOrder.objects.count()
    # Outside one's subtree: generic scoping.
    school_b = make_user(Role.SUPERVISOR, tree["b"])
    with pytest.raises(services.OutOfScope):
        _issue(school_b, tree["district"])
    # An end before the start.
    now = timezone.now()
    message = refused("ends_at", services.create_record, district_supervisor, AlertOrder, {
        "unit": tree["district"], "level": 2, "reason": "x", "starts_at": now,
        "ends_at": now - dt.timedelta(hours=1)})
    assert "after the start" in message
    # A role that may not: principals, guards, staff, auditors.
    for role in (Role.PRINCIPAL, Role.GUARD, Role.STAFF, Role.AUDITOR):
        user = make_user(role, tree["district"], username=f"{role}-x")
        with pytest.raises(services.OutOfScope):
            _issue(user, tree["district"])
    # A unit with nobody below it.
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    assert "units below it" in refused("unit", _issue, admin, tree["a"])
    assert AlertOrder.objects.count() == count
    assert not UnitAlert.objects.exists()
    # The district's administrators may.
    assert _issue(make_user(Role.UNIT_ADMIN, tree["district"]), tree["district"]).pk


def test_who_it_covers_is_fixed(tree, district_supervisor):
    order = _issue(district_supervisor, tree["district"])
    assert "fixed" in refused("stages", services.update_record, district_supervisor,
                              order, {"stages": ["primary"]})


def test_acknowledging_and_ticking(tree, district_supervisor, make_user):
    order = _issue(district_supervisor, tree["district"], 2)
    a = UnitAlert.objects.get(order=order, unit=tree["a"])
    admin, guard = make_user(Role.UNIT_ADMIN, tree["a"]), make_user(Role.GUARD, tree["a"])
    guards = a.measures.get(code="guards")
    # Not before acknowledging.
    assert "Acknowledge" in refused("done", alerts.report, guard, guards, True,
                                    guards_on_duty=3)
    # Only the unit's own people acknowledge; the district may not for it.
    with pytest.raises(ValidationError):
        alerts.acknowledge(district_supervisor, a)
    with pytest.raises(services.OutOfScope):  # a guard may not acknowledge
        alerts.acknowledge(guard, a)
    alerts.acknowledge(admin, a)
    a.refresh_from_db()
    assert a.acknowledged_by == admin and a.acknowledged_at is not None
    with pytest.raises(ValidationError):
        alerts.acknowledge(admin, a)
    # The guard force needs the guards on duty.
    refused("guards_on_duty", alerts.report, guard, guards, True)
    alerts.report(guard, guards, True, note="已增派", guards_on_duty=3)
    guards.refresh_from_db()
    a.refresh_from_db()
    assert guards.done_by == guard and guards.done_at is not None
    assert (a.measures_done, a.guards_on_duty) == (1, 3)
    assert AuditEntry.objects.filter(record_type="alerts.alertmeasure",
                                     record_id=str(guards.pk), action="update").exists()
    # Someone outside the unit reporting a measure done is refused.
    other = a.measures.get(code="comms")
    assert "own people" in refused("done", alerts.report, district_supervisor, other, True)
    district_admin = make_user(Role.UNIT_ADMIN, tree["district"])  # may change measures
    refused("done", services.update_record, district_admin, other, {"done": True})
    school_b_admin = make_user(Role.UNIT_ADMIN, tree["b"])
    with pytest.raises(ValidationError):
        alerts.report(school_b_admin, other, True)
    other.refresh_from_db()
    assert not other.done
    # Undone again.
    alerts.report(guard, guards, False)
    a.refresh_from_db()
    assert (a.measures_done, a.guards_on_duty) == (0, None)


def test_a_level_in_the_future_or_past_is_not_ticked(tree, district_supervisor, make_user):
    now = timezone.now()
    order = services.create_record(district_supervisor, AlertOrder, {
        "unit": tree["district"], "level": 3, "reason": "x",
        "starts_at": now + dt.timedelta(hours=2), "ends_at": now + dt.timedelta(days=2)})
    a = UnitAlert.objects.get(order=order, unit=tree["a"])
    with pytest.raises(ValidationError):
        alerts.acknowledge(make_user(Role.UNIT_ADMIN, tree["a"]), a)
