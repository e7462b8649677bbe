"""Patrol facts (GB/T 29315-2022: key areas patrolled at least five times a day) with a
frozen clock: the fewest patrols of a key location on an ended day of the last seven,
since the unit's first round; the checkpoints missed in the week; the rule evaluated."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q

from fangfan.patrols import services as patrols
from fangfan.patrols.facts import fewest
from fangfan.patrols.tests.conftest import MONDAY, at
from fangfan.standards import facts


def _facts(unit) -> dict:
    """The facts of the unit's subtree computed in bulk, checked equal to those of the
    unit alone (`compute_unit`: SQL kept for the minute; the clock is on a minute)."""
    names = {"key_area_patrols_fewest", "patrol_checkpoints_missed"}
    bulk = facts.compute(Q(unit_path__startswith=unit.path), names).get(unit.path, {})
    assert facts.compute_unit(unit.path, names).get(unit.path, {}) == bulk
    return bulk


def test_fewest_counts_a_key_location_on_no_route_as_none():
    days = [dt.date(2026, 11, 20), dt.date(2026, 11, 21)]
    counts = {(1, days[0]): 5, (1, days[1]): 6, (2, days[0]): 4, (2, days[1]): 5}
    assert fewest([1, 2], counts, days) == 4
    assert fewest([1, 2, 3], counts, days) == 0
    assert fewest([], counts, days) is None and fewest([1], counts, []) is None


def test_facts_from_rounds_and_scans(patrol, clock):
    a = patrol["a"]
    gate, power, _field = patrol["points"]
    # No round yet: the family has no row for the unit, so both are unknown.
    assert _facts(a) == {}
    # Monday: the 08:00 round scans the gate and the power room, the 14:00 round only
    # the gate; the rounds of the days before (made by the worker) scanned nothing.
    rnd = patrols.start(patrol["guard"], patrol["route"], now=at(7, 50))
    clock.set(at(8, 0))
    patrols.scan(patrol["guard"], rnd, gate.tag)
    patrols.scan(patrol["guard"], rnd, power.tag)
    clock.set(at(13, 40))
    afternoon = patrols.start(patrol["guard"], patrol["route"])
    patrols.scan(patrol["guard"], afternoon, gate.tag)
    # The worker makes the rounds nobody walked from two days back (Sunday 08:00 and
    # 14:00, three checkpoints missed each; the night route's Saturday and Sunday 21:00,
    # one each) and counts Monday 08:00 (the field missed) and 14:00 (two missed);
    # Saturday and Sunday are the ended days since the first round, with no patrol.
    clock.set(at(15, 5))
    patrols.check_rounds()
    values = _facts(a)
    assert values == {"key_area_patrols_fewest": 0,
                      "patrol_checkpoints_missed": 3 + 3 + 1 + 1 + 1 + 2}
    # Tuesday: Monday has ended too (gate twice, power room once), Sunday still none.
    clock.set(at(9, 0, MONDAY + dt.timedelta(days=1)))
    assert _facts(a)["key_area_patrols_fewest"] == 0


def test_fewest_over_ended_days_only_since_the_first_round(patrol, clock):
    """A unit starting on Monday: only Monday counts on Tuesday (2 for the gate, 1 for the
    power room: the fewest is 1), and the rule says the gap."""
    from fangfan.patrols.models import PatrolRound

    a = patrol["a"]
    gate, power, _field = patrol["points"]
    PatrolRound.objects.all().delete()
    patrol["route"].__class__.objects.update(created_at=at(6, 0))  # all set up on Monday
    patrol["route"].refresh_from_db()
    for due, codes in ((at(8, 0), [gate, power]), (at(14, 0), [gate])):
        rnd = patrols.start(patrol["guard"], patrol["route"], now=due)
        for point in codes:
            clock.set(due)
            patrols.scan(patrol["guard"], rnd, point.tag)
    clock.set(at(8, 0, MONDAY + dt.timedelta(days=1)))
    patrols.check_rounds()
    values = _facts(a)
    assert values["key_area_patrols_fewest"] == 1
    # 08:00 the field; 14:00 two; the night route's 21:00 its one.
    assert values["patrol_checkpoints_missed"] == 1 + 2 + 1


def test_the_gbt_rule_reads_the_fewest(patrol, clock):
    """GB/T 29315-2022 key-area-patrols: unmet with the fewest patrols as its actual."""
    from fangfan.standards.engine import evaluate_units
    from fangfan.standards.models import Result

    a = patrol["a"]
    rnd = patrols.start(patrol["guard"], patrol["route"], now=at(7, 50))
    clock.set(at(8, 0))
    patrols.scan(patrol["guard"], rnd, patrol["points"][0].tag)
    clock.set(at(9, 0, MONDAY + dt.timedelta(days=1)))
    evaluate_units([a.path])
    result = Result.objects.get(
        unit=a, requirement__urn="urn:fangfan:pack:gbt-29315-2022:key-area-patrols")
    assert (result.status, result.actual, result.required) == ("unmet", 0, 5)
