"""An open fault marks its asset faulty and its restore puts the asset back in service,
in the fault's own write, audited, and the standards see it (issue 8, item 5)."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import AuditEntry, Role
from fangfan.resources.models import Asset, Fault, Location
from fangfan.standards import engine
from fangfan.standards.models import Result


def _place(unit, name: str, kind: str, **extra) -> Location:
    return services.create_record(None, Location, {"unit": unit, "name": name, "kind": kind,
                                                   **extra})


def _asset(unit, category: str, location=None, **extra) -> Asset:
    return services.create_record(None, Asset, {"unit": unit, "category": category,
                                                "location": location, **extra})


def _meets_r_tech(unit) -> Asset:
    """Everything R-TECH asks for; returns the gate camera."""
    gate = _place(unit, "南校门", "main_gate", is_main_entrance=True, is_key=True)
    duty = _place(unit, "门卫室", "gate_duty_room")
    _place(unit, "监控中心", "control_room")
    _asset(unit, "one_key_alarm", duty, police_networked=True)
    return _asset(unit, "camera", gate, name="校门摄像机", night_capable=True,
                  identifies_faces=True, identifies_plates=True)


def _r_tech(unit) -> str:
    engine.evaluate_units([unit.path])
    return Result.objects.get(unit=unit, requirement__ref="R-TECH").status


def _report(actor, unit, camera) -> Fault:
    return services.create_record(actor, Fault, {
        "unit": unit, "asset": camera, "description": "夜间画面全黑",
        "temporary_measure": "保安在校门值守"})


def test_open_fault_makes_r_tech_unmet_and_restore_makes_it_met_again(tree, make_user):
    camera = _meets_r_tech(tree["a"])
    assert _r_tech(tree["a"]) == "met"
    guard = make_user(Role.GUARD, tree["a"])  # may report faults, may not edit assets
    fault = _report(guard, tree["a"], camera)
    camera.refresh_from_db()
    assert camera.status == "faulty"
    assert _r_tech(tree["a"]) == "unmet"
    entry = AuditEntry.objects.filter(record_type="resources.asset",
                                      record_id=str(camera.pk)).latest("seq")
    assert (entry.actor_id, entry.after) == (guard.pk, {"status": "faulty"})

    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    services.update_record(admin, fault, {"restored_at": timezone.now(),
                                          "restored_note": "更换电源"})
    camera.refresh_from_db()
    assert camera.status == "in_service"
    assert _r_tech(tree["a"]) == "met"


def test_asset_stays_faulty_until_its_last_fault_is_restored(tree):
    camera = _asset(tree["a"], "camera")
    first, second = _report(None, tree["a"], camera), _report(None, tree["a"], camera)
    services.update_record(None, first, {"restored_at": timezone.now()})
    camera.refresh_from_db()
    assert camera.status == "faulty"
    services.delete_record(None, second)  # reported by mistake
    camera.refresh_from_db()
    assert camera.status == "in_service"


def test_retired_asset_stays_retired(tree):
    camera = _asset(tree["a"], "camera", status="retired")
    fault = _report(None, tree["a"], camera)
    services.update_record(None, fault, {"restored_at": timezone.now()})
    camera.refresh_from_db()
    assert camera.status == "retired"


def test_asset_with_open_fault_cannot_be_set_in_service_by_hand(tree):
    camera = _asset(tree["a"], "camera")
    _report(None, tree["a"], camera)
    camera.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        services.update_record(None, camera, {"status": "in_service"})
    assert "not restored yet" in " ".join(err.value.message_dict["status"])
    camera.refresh_from_db()
    assert camera.status == "faulty"
    services.update_record(None, camera, {"name": "东门摄像机"})  # other changes still go
    services.update_record(None, camera, {"status": "retired"})


def test_a_failed_fault_write_leaves_the_asset_alone(tree):
    camera = _asset(tree["a"], "camera")
    with pytest.raises(ValidationError):
        services.create_record(None, Fault, {"unit": tree["a"], "asset": camera,
                                             "description": "坏了", "temporary_measure": ""})
    camera.refresh_from_db()
    assert camera.status == "in_service"
