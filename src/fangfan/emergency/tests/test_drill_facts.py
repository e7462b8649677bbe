"""R-DRILL and the drill guide from drill records, at semester and school-year boundaries
(each test says its date). Terms as the demo city's: 2025–26 ends 3 July 2026."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from fangfan.core import services
from fangfan.emergency import facts as drill_facts
from fangfan.emergency.models import Drill
from fangfan.standards import engine
from fangfan.standards import facts as std_facts
from fangfan.standards.models import Result, SchoolTerm

D = dt.date.fromisoformat
TERMS = [(2025, 1, D("2025-09-01"), D("2026-01-24")), (2025, 2, D("2026-02-23"), D("2026-07-03")),
         (2026, 1, D("2026-09-01"), D("2027-01-23")), (2026, 2, D("2027-02-22"), D("2027-07-02"))]


def facts_on(today, first, last, last_ct=None, ct=0, terms=TERMS):
    return drill_facts.values(D(first), D(last), D(last_ct) if last_ct else None, ct, terms,
                              D(today))


def test_a_semester_without_a_drill_is_a_gap_from_the_day_after_it_ends():
    # Last drill in the autumn semester; the spring semester (23 Feb – 3 Jul) has none.
    assert facts_on("2026-07-03", "2025-10-10", "2025-10-10")["semesters_without_drill"] == 0
    assert facts_on("2026-07-04", "2025-10-10", "2025-10-10")["semesters_without_drill"] == 1
    # A drill on the semester's last day counts for it.
    assert facts_on("2026-07-04", "2025-10-10", "2026-07-03")["semesters_without_drill"] == 0
    # The gap stays until the next drill is held (the next semester's first days too).
    assert facts_on("2026-09-02", "2025-10-10", "2025-10-10")["semesters_without_drill"] == 1
    assert facts_on("2026-09-11", "2025-10-10", "2026-09-10")["semesters_without_drill"] == 0
    # A drill in the holidays after the semester makes it good too.
    assert facts_on("2026-08-01", "2025-10-10", "2026-07-20")["semesters_without_drill"] == 0


def test_the_yearly_ct_drill_is_a_gap_only_once_the_school_year_has_ended():
    # No counter-terrorism drill in 2025–26: during the year it is not yet a gap.
    during = facts_on("2026-07-03", "2025-10-10", "2026-05-10")
    assert during["school_years_without_ct_drill"] == 0 and during["ct_drills_this_year"] == 0
    after = facts_on("2026-07-04", "2025-10-10", "2026-05-10")
    assert after["school_years_without_ct_drill"] == 1
    # Held on the last day of the year: no gap.
    held = facts_on("2026-07-04", "2025-10-10", "2026-07-03", last_ct="2026-07-03")
    assert held["school_years_without_ct_drill"] == 0
    # The year before the unit's first recorded drill is not counted.
    assert facts_on("2026-07-04", "2026-09-05", "2026-09-05")["school_years_without_ct_drill"] \
        == 0
    # A counter-terrorism drill of 2025–26 leaves 2026–27 open until it ends (2 July 2027).
    assert facts_on("2027-07-02", "2025-10-10", "2027-05-01",
                    last_ct="2025-11-01")["school_years_without_ct_drill"] == 0
    assert facts_on("2027-07-03", "2025-10-10", "2027-05-01",
                    last_ct="2025-11-01")["school_years_without_ct_drill"] == 1


def test_months_and_quarters_of_the_drill_guide_count_term_time_only():
    # Last drill 15 October 2026: November is a gap from 1 December.
    assert facts_on("2026-11-30", "2025-10-10", "2026-10-15")["months_without_drill"] == 0
    assert facts_on("2026-12-01", "2025-10-10", "2026-10-15")["months_without_drill"] == 1
    # The summer holidays ask no drill (July has 3 days of term, August none).
    assert facts_on("2026-09-01", "2025-10-10", "2026-06-20")["months_without_drill"] == 0
    # Quarters: last drill in Q3 2026 (September); Q4 ends 31 December.
    assert facts_on("2026-12-31", "2025-10-10", "2026-09-20")["quarters_without_drill"] == 0
    assert facts_on("2027-01-01", "2025-10-10", "2026-09-20")["quarters_without_drill"] == 1


def test_without_terms_every_drill_fact_is_unknown():
    assert set(facts_on("2026-11-27", "2025-10-10", "2026-10-15", terms=[]).values()) == {None}


@pytest.fixture
def termed(tree):
    for year, number, start, end in TERMS:
        services.create_record(None, SchoolTerm, {"unit": tree["city"], "school_year": year,
                                                  "number": number, "starts_on": start,
                                                  "ends_on": end})
    return tree


def _on(monkeypatch, day: str) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a: D(day))


def _drill(unit, day, ct=False):
    return services.create_record(None, Drill, {"unit": unit, "held_on": D(day),
                                                "scenario": "evacuation",
                                                "counter_terrorism": ct, "participants": 500})


def _r_drill(unit) -> Result:
    engine.evaluate_subtree([unit.path])
    return Result.objects.get(unit=unit, requirement__ref="R-DRILL")


def test_r_drill_from_records_at_the_year_boundary(termed, monkeypatch):
    a = termed["a"]
    _on(monkeypatch, "2026-07-03")
    _drill(a, "2025-10-10")
    _drill(a, "2026-03-15")
    # The last day of the school year: a drill each semester, no ct drill yet: met.
    assert _r_drill(a).status == "met"
    values = std_facts.compute(Q(unit_path=a.path))[a.path]
    assert values["ct_drills_this_year"] == 0
    _on(monkeypatch, "2026-07-04")  # the day after: the year ended without one
    result = _r_drill(a)
    assert result.status == "unmet"
    assert result.facts["school_years_without_ct_drill"] == 1
    _drill(a, "2026-07-04", ct=True)  # made good in the holidays
    assert _r_drill(a).status == "met"


def test_r_drill_from_records_at_a_semester_boundary(termed, monkeypatch):
    a, b = termed["a"], termed["b"]
    _on(monkeypatch, "2027-01-23")  # the last day of the autumn semester 2026
    _drill(a, "2026-09-20", ct=True)
    _drill(a, "2026-05-10")
    assert std_facts.compute(Q(unit_path=a.path))[a.path]["ct_drills_this_year"] == 1
    assert _r_drill(a).status == "met"
    assert _r_drill(b).status == "unknown"  # no drill recorded at all
    _on(monkeypatch, "2027-01-24")
    assert _r_drill(a).status == "met"  # the autumn semester had its drill
    _on(monkeypatch, "2027-07-03")  # spring 2027 without a drill ended yesterday
    assert _r_drill(a).facts["semesters_without_drill"] == 1
    assert _r_drill(a).status == "unmet"
