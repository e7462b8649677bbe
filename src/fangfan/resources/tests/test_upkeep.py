"""RES-4a camera placement, RES-4b alarm tests, RES-5 faults and maintenance: refusals
name their field and save nothing; the fault clock feeds R-FAULT."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.helpers import refused
from fangfan.resources.models import AlarmTest, Asset, Fault, Location, MaintenanceSchedule
from fangfan.standards import engine
from fangfan.standards.models import Result


def place(unit, name, kind):
    return services.create_record(None, Location, {"unit": unit, "name": name, "kind": kind})


def asset(unit, category, **extra):
    return services.create_record(None, Asset, {"unit": unit, "category": category, **extra})


@pytest.mark.parametrize("kind", ["toilet", "dormitory_room", "changing_room", "nursing_room"])
def test_camera_in_a_private_place_is_refused_with_the_legal_reason(tree, kind):
    room = place(tree["a"], "某室", kind)
    message = refused("location", asset, tree["a"], "camera", location=room)
    assert "Art. 8" in message
    assert not Asset.objects.filter(category="camera").exists()
    asset(tree["a"], "intrusion_detector", location=room)  # other devices are allowed


def test_a_place_with_a_camera_cannot_become_private(tree):
    hall = place(tree["a"], "走廊", "other")
    asset(tree["a"], "camera", location=hall)
    refused("kind", services.update_record, None, hall, {"kind": "toilet"})
    hall.refresh_from_db()
    assert hall.kind == "other"


def fault(unit, device, hours_ago: float, **extra):
    return services.create_record(None, Fault, {
        "unit": unit, "asset": device, "description": "画面全黑",
        "temporary_measure": "保安值守", **extra,
        "reported_at": timezone.now() - dt.timedelta(hours=hours_ago)})


def test_fault_clock_and_refusals(tree):
    cam = asset(tree["a"], "camera")
    late = fault(tree["a"], cam, 25)
    assert late.due_at == late.reported_at + dt.timedelta(hours=24) and late.overdue
    fresh = fault(tree["a"], cam, 2)
    assert not fresh.overdue
    refused("restored_at", services.update_record, None, fresh,
            {"restored_at": fresh.reported_at - dt.timedelta(minutes=1)})
    refused("temporary_measure", fault, tree["a"], cam, 1, temporary_measure=" ")
    refused("asset", fault, tree["a"], asset(tree["a"], "seal"), 1)
    refused("asset", fault, tree["a"], asset(tree["b"], "camera"), 1)
    refused("reported_at", fault, tree["a"], cam, -3)
    assert Fault.objects.count() == 2
    services.update_record(None, late, {"restored_at": timezone.now()})
    assert late.overdue  # restored, but after its 24 hours


def test_unrestored_fault_over_24_hours_makes_r_fault_unmet(tree):
    cam = asset(tree["a"], "camera")
    engine.evaluate_units([tree["a"].path])
    res = Result.objects.get(unit=tree["a"], requirement__ref="R-FAULT")
    assert (res.status, res.actual) == ("met", 0)
    fault(tree["a"], cam, 30)
    engine.evaluate_units([tree["a"].path])
    res = Result.objects.get(unit=tree["a"], requirement__ref="R-FAULT")
    assert (res.status, res.actual) == ("unmet", 1)
    assert res.facts == {"faults_unrestored_over_24h": 1}


def test_overdue_filter_on_the_fault_list(tree, make_user, client):
    cam = asset(tree["a"], "camera", name="校门摄像机")
    fault(tree["a"], cam, 30, description="逾期故障")
    fault(tree["a"], cam, 1, description="新故障")
    client.force_login(make_user(Role.GUARD, tree["a"]))
    url = reverse("records:faults-list")

    def rows(params) -> int:
        return len(re.findall(r'href="/faults/\d+/"', client.get(url, params).content.decode()))

    assert (rows({"overdue": "true"}), rows({"overdue": "false"}), rows({"open": "true"})) \
        == (1, 1, 2)


def test_alarm_tests(tree):
    alarm = asset(tree["a"], "one_key_alarm", police_networked=True)
    services.create_record(None, AlarmTest, {"unit": tree["a"], "asset": alarm,
                                             "answered": True, "response_seconds": 15})
    refused("asset", services.create_record, None, AlarmTest,
            {"unit": tree["a"], "asset": asset(tree["a"], "camera")})
    refused("response_seconds", services.create_record, None, AlarmTest,
            {"unit": tree["a"], "asset": alarm, "answered": False, "response_seconds": 9})
    assert AlarmTest.objects.count() == 1


def test_maintenance_schedule_due_dates(tree):
    cam = asset(tree["a"], "camera")
    done = timezone.localdate() - dt.timedelta(days=100)
    sched = services.create_record(None, MaintenanceSchedule, {
        "unit": tree["a"], "asset": cam, "kind": "maintenance", "every_days": 90,
        "last_done_on": done})
    assert sched.next_due_on == done + dt.timedelta(days=90) and sched.overdue
    refused("kind", services.create_record, None, MaintenanceSchedule,
            {"unit": tree["a"], "asset": cam, "kind": "maintenance", "every_days": 30})
    services.update_record(None, sched, {"last_done_on": timezone.localdate()})
    assert not sched.overdue


def test_alarm_tests_and_overdue_maintenance_are_facts(tree):
    from fangfan.standards import facts

    alarm = asset(tree["a"], "one_key_alarm", police_networked=True)
    cam = asset(tree["a"], "camera")
    values = facts.compute_unit(tree["a"].path)[tree["a"].path]
    assert (values["alarms_untested_90_days"], values["maintenance_overdue"]) == (1, 0)
    services.create_record(None, AlarmTest, {"unit": tree["a"], "asset": alarm,
                                             "answered": True})
    services.create_record(None, MaintenanceSchedule, {
        "unit": tree["a"], "asset": cam, "kind": "inspection", "every_days": 30,
        "last_done_on": timezone.localdate() - dt.timedelta(days=45)})
    fault(tree["a"], cam, 30)
    fault(tree["a"], cam, 31)
    values = facts.compute_unit(tree["a"].path)[tree["a"].path]
    assert (values["alarms_untested_90_days"], values["maintenance_overdue"]) == (0, 1)
    assert (values["faults_recorded"], values["faults_unrestored_over_24h"]) == (2, 2)
