"""Every seed rule with its boundaries (SPEC §9), stricter-wins, unknown vs met, and the
what-if command contract."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangfan.standards import whatif

SEED = "urn:fangfan:pack:seed"
GBT = "urn:fangfan:pack:gbt-29315-2022"


def school(**over) -> dict:
    unit = {"kind": "school", "stage": "primary", "locale": "city", "boarding": False,
            "staff_count": 0, "student_count": 0, "boarder_count": 0, "key_target_grade": 0}
    unit.update(over)
    return unit


def run(unit: dict, facts: dict | None = None, packs=(SEED,)) -> dict[str, dict]:
    rows = whatif.check({"unit": unit, "facts": facts or {}}, list(packs) if packs else None)
    return {r["ref"] or r["requirement"]: r for r in rows}


@pytest.mark.parametrize(("people", "required"), [
    (99, 1), (100, 2), (1000, 2), (1001, 2), (1499, 2), (1500, 3), (1999, 3), (2000, 4)])
def test_r_staff_by_headcount(db, people, required):
    staff = 20
    r = run(school(staff_count=staff, student_count=people - staff),
            {"guards_full_time": required})["R-STAFF"]
    assert (r["required"], r["actual"], r["status"]) == (required, required, "met")
    short = run(school(staff_count=staff, student_count=people - staff),
                {"guards_full_time": required - 1})["R-STAFF"]
    assert short["status"] == "unmet"


@pytest.mark.parametrize(("people", "boarders", "required"), [
    (50, 0, 2), (50, 299, 2), (400, 300, 3), (900, 599, 3), (900, 600, 4), (1500, 900, 6)])
def test_r_staff_boarding(db, people, boarders, required):
    unit = school(stage="secondary", boarding=True, staff_count=10, student_count=people - 10,
                  boarder_count=boarders)
    assert run(unit, {"guards_full_time": 0})["R-STAFF"]["required"] == required


def test_r_staff_does_not_apply_to_authorities(db):
    unit = school(kind="education_bureau", stage="other")
    assert "R-STAFF" not in run(unit, {"guards_full_time": 0})


@pytest.mark.parametrize(("grade", "days", "status"), [
    (0, 29, "unmet"), (0, 30, "met"), (1, 89, "unmet"), (2, 90, "met"), (3, 60, "unmet")])
def test_r_retain(db, grade, days, status):
    r = run(school(key_target_grade=grade), {"video_retention_days_min": days})["R-RETAIN"]
    assert r["status"] == status and r["required"] == (90 if grade else 30)


KIT = {f"kit_{i}": 2 for i in ("helmet", "shield", "stab_vest", "cut_gloves", "baton",
                               "strong_flashlight", "defence_spray")}


@pytest.mark.parametrize(("kit_min", "forks", "status"), [
    (2, 2, "met"), (1, 2, "unmet"), (2, 1, "unmet"), (3, 4, "met")])
def test_r_kit(db, kit_min, forks, status):
    facts = {"guards_on_duty": 2, "kit_items_min": kit_min, "steel_forks": forks,
             "gate_duty_rooms": 1 if forks < 4 else 2}
    r = run(school(), facts)["R-KIT"]
    assert (r["status"], r["required"], r["actual"]) == (status, 2, kit_min)


def test_r_fault_light_bag(db):
    assert run(school(), {"faults_unrestored_over_24h": 0})["R-FAULT"]["status"] == "met"
    assert run(school(), {"faults_unrestored_over_24h": 1})["R-FAULT"]["status"] == "unmet"
    assert run(school(), {"lighting_working_ratio": 0.95})["R-LIGHT"]["status"] == "met"
    assert run(school(), {"lighting_working_ratio": 0.949})["R-LIGHT"]["status"] == "unmet"
    bag = {"baggage_storage_count": 1}
    assert run(school(), {**bag, "baggage_distance_min_m": 30})["R-BAG"]["status"] == "unmet"
    assert run(school(), {**bag, "baggage_distance_min_m": 30.5})["R-BAG"]["status"] == "met"
    assert "R-BAG" not in run(school(), {"baggage_storage_count": 0})


TECH_OK = {"main_gate_camera_ok": True, "gate_alarm_networked": True,
           "camera_zones_uncovered": 0, "risk_rooms_unprotected": 0, "control_rooms": 1,
           "control_room_system": False}


@pytest.mark.parametrize("broken", [None, "main_gate_camera_ok", "gate_alarm_networked",
                                    "camera_zones_uncovered", "risk_rooms_unprotected",
                                    "control_rooms"])
def test_r_tech(db, broken):
    facts = dict(TECH_OK)
    if broken:
        facts[broken] = 2 if isinstance(facts[broken], int) and broken.startswith(("camera",
                                                                                   "risk")) \
            else (0 if broken == "control_rooms" else False)
    assert run(school(), facts)["R-TECH"]["status"] == ("unmet" if broken else "met")


def test_periodic_rules(db):
    ok = {"semesters_without_drill": 0, "school_years_without_ct_drill": 0,
          "months_without_self_inspection": 0, "supervisions_missing": 0,
          "quarters_without_meeting": 0, "concern_entries_contact_overdue": 0,
          "concern_entries_open": 1}
    res = run(school(), ok)
    assert all(res[r]["status"] == "met" for r in
               ("R-DRILL", "R-SELF", "R-SUPV", "R-MEET", "R-LIAISON"))
    bad = run(school(), {**ok, "semesters_without_drill": 1, "supervisions_missing": 1,
                         "months_without_self_inspection": 1, "quarters_without_meeting": 1,
                         "concern_entries_contact_overdue": 2})
    assert all(bad[r]["status"] == "unmet" for r in
               ("R-DRILL", "R-SELF", "R-SUPV", "R-MEET", "R-LIAISON"))
    # R-LIAISON is asked only where the ledger has open entries.
    none_open = run(school(), {**ok, "concern_entries_open": 0,
                               "concern_entries_contact_overdue": 2})
    assert none_open.get("R-LIAISON", {"status": "not_applicable"})["status"] == \
        "not_applicable"
    # The yearly counter-terrorism drill is a gap once its school year has ended without
    # one, not while the year runs (no counter-terrorism drill yet this year is met).
    assert run(school(), {**ok, "ct_drills_this_year": 0})["R-DRILL"]["status"] == "met"
    assert run(school(), {**ok, "school_years_without_ct_drill": 1})["R-DRILL"]["status"] \
        == "unmet"


def test_r_deadline(db):
    facts = {"guards_full_time": 2, "closed_management": True, "gate_alarm_networked": True,
             "video_police_networked": True, "hu_xue_gang_posts": 1}
    assert run(school(), facts)["R-DEADLINE"]["status"] == "met"
    assert run(school(), {**facts, "closed_management": False})["R-DEADLINE"]["status"] == \
        "unmet"


def test_missing_facts_are_unknown_never_met(db):
    res = run(school(staff_count=10, student_count=500))
    assert res["R-STAFF"]["status"] == "unknown"
    assert res["R-STAFF"]["required"] == 2 and res["R-STAFF"]["actual"] is None
    assert res["R-STAFF"]["unknown_facts"] == ["guards_full_time"]
    assert {r["status"] for r in res.values()} == {"unknown"}


def test_stricter_pack_governs_and_both_are_shown(db):
    unit = school(staff_count=100, student_count=1400)  # N=1500 → seed 3; GB/T 1400 → 3
    res = run(unit, {"guards_full_time": 3}, packs=(SEED, GBT))
    gbt = res["urn:fangfan:pack:gbt-29315-2022:guards-by-non-boarding-students"]
    assert res["R-STAFF"]["required"] == 3 and gbt["required"] == 3
    assert sum(bool(r.get("governing")) for r in (res["R-STAFF"], gbt)) == 1
    unit = school(staff_count=100, student_count=1600)  # seed 2+700//500=3; GB/T 3+600//500=4
    res = run(unit, {"guards_full_time": 3}, packs=(SEED, GBT))
    gbt = res["urn:fangfan:pack:gbt-29315-2022:guards-by-non-boarding-students"]
    assert gbt["governing"] and gbt["status"] == "unmet" and gbt["required"] == 4
    assert "governing" not in res["R-STAFF"] and res["R-STAFF"]["status"] == "met"
    alone = run(unit, {"guards_full_time": 3})
    assert "governing" not in alone["R-STAFF"]


@pytest.mark.parametrize(("data", "message"), [
    ({"unit": {}}, "unit.kind is missing"),
    ({"unit": {**school(), "boarding": "yes"}}, "unit.boarding must be true or false"),
    ({"unit": {**school(), "staff_count": -1}}, "unit.staff_count"),
    ({"unit": {**school(), "stage": "nursery"}}, "unit.stage must be one of"),
    ({"unit": school(), "facts": {"guards_full_time": "3"}}, "facts.guards_full_time"),
    ({"unit": school(), "facts": {"bogus": 1}}, "facts.bogus is not a known fact"),
    ([], "must be an object"),
])
def test_bad_what_if_input_is_named(db, data, message):
    with pytest.raises(whatif.InputError, match=message.replace(".", r"\.")):
        whatif.check(data)


def test_check_command_contract(db, tmp_path, capsys):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"unit": school(staff_count=20, student_count=79),
                                "facts": {"guards_full_time": 1,
                                          "video_retention_days_min": 30}}))
    call_command("standards", "check", "--input", str(path), "--packs", SEED)
    rows = json.loads(capsys.readouterr().out)
    staff = next(r for r in rows if r["ref"] == "R-STAFF")
    assert staff == {"requirement": "urn:fangfan:pack:seed:r-staff", "ref": "R-STAFF",
                     "status": "met", "required": 1, "actual": 1}
    assert {r["ref"] for r in rows} >= {"R-STAFF", "R-RETAIN", "R-TECH", "R-DRILL"}
    path.write_text(json.dumps({"unit": {"kind": "school"}}))
    with pytest.raises(CommandError, match="unit.stage is missing"):
        call_command("standards", "check", "--input", str(path))
    with pytest.raises(CommandError, match="unknown pack"):
        path.write_text(json.dumps({"unit": school()}))
        call_command("standards", "check", "--input", str(path), "--packs", "urn:nope")
