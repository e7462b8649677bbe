"""R-ALERT in the standards engine: the guards required under each level from the
baseline B (ceil boundaries at B = 1, 3, 7, 10), through the what-if check (a baseline
given as from a roster) and through the records (no roster: B from R-STAFF)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangfan.alerts import services as alerts
from fangfan.alerts.models import AlertOrder, UnitAlert
from fangfan.core import services
from fangfan.core.models import Role
from fangfan.standards import whatif
from fangfan.standards.engine import evaluate_units
from fangfan.standards.models import Result

SEED = "urn:fangfan:pack:seed"
# B → guards required at level III (ceil 1.3·B), II (ceil 1.5·B), I (2·B).
EXPECTED = {1: {3: 2, 2: 2, 1: 2}, 3: {3: 4, 2: 5, 1: 6}, 7: {3: 10, 2: 11, 1: 14},
            10: {3: 13, 2: 15, 1: 20}}
CASES = [(b, level, n) for b, levels in EXPECTED.items() for level, n in levels.items()]


def school(**over) -> dict:
    unit = {"kind": "school", "stage": "primary", "locale": "city", "boarding": False,
            "staff_count": 20, "student_count": 300, "boarder_count": 0,
            "key_target_grade": 0}
    unit.update(over)
    return unit


def r_alert(data: dict) -> dict | None:
    return next((r for r in whatif.check(data, [SEED]) if r["ref"] == "R-ALERT"), None)


@pytest.mark.parametrize(("b", "level", "required"), CASES)
def test_what_if_with_a_roster_baseline(db, b, level, required):
    facts = {"alert_baseline_guards": b, "alert_guards_on_duty": required}
    met = r_alert({"unit": school(), "alert_level": level, "facts": facts})
    assert (met["status"], met["required"], met["actual"]) == ("met", required, required)
    short = r_alert({"unit": school(), "facts": {**facts, "alert_level": level,
                                                 "alert_guards_on_duty": required - 1}})
    assert short["status"] == "unmet"


@pytest.mark.parametrize(("b", "level", "required"), CASES)
def test_what_if_without_roster_takes_r_staff(db, b, level, required):
    """The baseline R-STAFF gives (people → full-time guards), fed to R-ALERT."""
    people = {1: 50, 3: 1500, 7: 3500, 10: 5000}[b]
    unit = school(staff_count=0, student_count=people, alert_level=level)
    staff = next(r for r in whatif.check({"unit": unit}, [SEED]) if r["ref"] == "R-STAFF")
    assert staff["required"] == b
    row = r_alert({"unit": unit, "facts": {"alert_baseline_guards": staff["required"]}})
    assert (row["status"], row["required"]) == ("unknown", required)
    assert row["unknown_facts"] == ["alert_guards_on_duty"]


def test_what_if_without_a_level(db, tmp_path, capsys):
    assert r_alert({"unit": school()}) is None  # not applicable: not listed
    assert r_alert({"unit": school(), "alert_level": 0}) is None
    with pytest.raises(whatif.InputError, match="alert_level must be one of"):
        r_alert({"unit": school(), "alert_level": 4})
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"unit": school(), "alert_level": 2,
                                "facts": {"alert_baseline_guards": 3}}))
    call_command("standards", "check", "--input", str(path), "--packs", SEED)
    row = next(r for r in json.loads(capsys.readouterr().out) if r["ref"] == "R-ALERT")
    assert row == {"requirement": f"{SEED}:r-alert", "ref": "R-ALERT", "status": "unknown",
                   "required": 5, "actual": None, "unknown_facts": ["alert_guards_on_duty"]}


def _result(unit):
    return Result.objects.get(unit=unit, requirement__ref="R-ALERT")


@pytest.mark.parametrize("level", [3, 2, 1])
def test_r_alert_from_the_records(tree, make_user, level):
    district = tree["district"]
    units = {b: services.create_unit(None, {
        "parent": district, "code": f"b{b}", "name": f"B{b}学校", "kind": "school",
        "stage": "primary", "locale": "city", "staff_count": 0,
        "student_count": {1: 50, 3: 1500, 7: 3500, 10: 5000}[b]}) for b in EXPECTED}
    paths = [u.path for u in units.values()]
    evaluate_units(paths)  # R-STAFF stored; no level yet
    for b, unit in units.items():
        assert _result(unit).status == "not_applicable"
        staff = Result.objects.get(unit=unit, requirement__ref="R-STAFF")
        assert staff.required == b
    supervisor = make_user(Role.SUPERVISOR, district)
    now = timezone.now()
    order = services.create_record(supervisor, AlertOrder, {
        "unit": district, "level": level, "reason": "x", "stages": ["primary"],
        "starts_at": now - dt.timedelta(minutes=1), "ends_at": now + dt.timedelta(days=1)})
    evaluate_units(paths)
    for b, unit in units.items():
        ua = UnitAlert.objects.get(order=order, unit=unit)
        assert (ua.baseline, ua.baseline_source) == (b, "staffing")
        result = _result(unit)
        assert (result.status, result.required) == ("unknown", EXPECTED[b][level])
        assert result.missing_facts == ["alert_guards_on_duty"]
    # The unit reports its guards on duty with the guard-force measure.
    unit = units[7]
    admin = make_user(Role.UNIT_ADMIN, unit)
    ua = UnitAlert.objects.get(order=order, unit=unit)
    alerts.acknowledge(admin, ua)
    guards = ua.measures.get(code="guards")
    alerts.report(admin, guards, True, guards_on_duty=EXPECTED[7][level] - 1)
    evaluate_units([unit.path])
    assert (_result(unit).status, _result(unit).actual) == ("unmet", EXPECTED[7][level] - 1)
    alerts.report(admin, guards, True, guards_on_duty=EXPECTED[7][level])
    evaluate_units([unit.path])
    assert _result(unit).status == "met"
    # Stood down: back to normal.
    alerts.stand_down(supervisor, order)
    evaluate_units([unit.path])
    assert _result(unit).status == "not_applicable"


def test_baseline_without_a_stored_result_is_computed_by_r_staff(tree, make_user):
    """A unit never evaluated gets R-STAFF's figure from its attributes."""
    supervisor = make_user(Role.SUPERVISOR, tree["district"])
    now = timezone.now()
    order = services.create_record(supervisor, AlertOrder, {
        "unit": tree["district"], "level": 2, "reason": "x",
        "starts_at": now, "ends_at": now + dt.timedelta(days=1)})
    assert not Result.objects.exists()
    ua = UnitAlert.objects.get(order=order, unit=tree["a"])  # 980 people → 2
    assert (ua.baseline, ua.guards_required) == (2, 3)


def test_the_strictest_level_in_force_counts(tree, make_user):
    city = make_user(Role.SUPERVISOR, tree["city"])
    now = timezone.now()
    window = {"starts_at": now - dt.timedelta(minutes=1), "ends_at": now + dt.timedelta(1)}
    services.create_record(city, AlertOrder, {"unit": tree["city"], "level": 3,
                                              "reason": "x", **window})
    services.create_record(city, AlertOrder, {"unit": tree["district"], "level": 1,
                                              "reason": "y", **window})
    evaluate_units([tree["a"].path])
    assert _result(tree["a"]).required == 4  # level I: 2 × 2
