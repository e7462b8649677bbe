"""Round-the-clock patrols under alert level I (R-ALERT's measure 14), with a frozen
clock: the longest gap between the unit's patrol scans since it came under level I (at
most 24 hours back), up to now; the seed pack's alert-patrols met within the limit,
unmet beyond it, not applicable without level I; the checklist shows the state beside
the manual tick."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.test import override_settings

from fangfan.alerts import services as alerts
from fangfan.alerts.models import AlertOrder, UnitAlert
from fangfan.core import services
from fangfan.patrols import services as patrols
from fangfan.patrols.facts import longest_gaps
from fangfan.patrols.tests.conftest import at
from fangfan.standards import facts
from fangfan.standards.engine import evaluate_units
from fangfan.standards.models import Result

URN = "urn:fangfan:pack:seed:alert-patrols"
H = dt.timedelta(hours=1)


def _gap(unit) -> dict:
    """The facts of the unit's subtree computed in bulk, checked equal to those of the
    unit alone (`compute_unit`: SQL kept for the minute; the clock is on a minute)."""
    names = {"alert_patrol_gap_hours", "alert_patrol_gap_limit_hours"}
    bulk = facts.compute(Q(unit_path__startswith=unit.path), names).get(unit.path, {})
    assert facts.compute_unit(unit.path, names).get(unit.path, {}) == bulk
    return bulk


def _status(unit) -> tuple:
    evaluate_units([unit.path])
    r = Result.objects.get(unit=unit, requirement__urn=URN)
    return r.status, r.actual, r.required


def _order(patrol, level: int, starts_at) -> AlertOrder:
    return services.create_record(None, AlertOrder, {
        "unit": patrol["district"], "level": level, "reason": "演练", "kinds": ["school"],
        "starts_at": starts_at, "ends_at": starts_at + dt.timedelta(days=3)})


def _walk_morning(patrol, clock) -> None:
    """The 08:00 round: the gate at 08:00, the power room at 08:05."""
    gate, power, _field = patrol["points"]
    rnd = patrols.start(patrol["guard"], patrol["route"], now=at(7, 50))
    clock.set(at(8, 0))
    patrols.scan(patrol["guard"], rnd, gate.tag)
    clock.set(at(8, 5))
    patrols.scan(patrol["guard"], rnd, power.tag)


def test_longest_gap_from_the_start_between_scans_and_to_now():
    start, now = at(7, 0), at(12, 0)
    scans = [("a", at(6, 0)), ("a", at(8, 0)), ("a", at(8, 30)), ("a", at(11, 0)),
             ("b", at(7, 30))]
    gaps = longest_gaps(scans, {"a": start, "b": at(9, 0), "c": at(11, 0)}, now)
    assert gaps["a"] == 2.5 * H  # 08:30 → 11:00; the 06:00 scan is before the level
    assert gaps["b"] == 3 * H  # its only scan is before its window: 09:00 → now
    assert gaps["c"] == 1 * H  # no scan at all: the whole window
    assert longest_gaps([("a", at(7, 10))], {"a": start}, at(7, 20)) == {
        "a": dt.timedelta(minutes=10)}


def test_no_level_i_is_unknown_and_the_rule_not_applicable(patrol, clock):
    a = patrol["a"]
    _walk_morning(patrol, clock)
    clock.set(at(9, 0))
    assert _gap(a) == {}
    assert _status(a)[0] == "not_applicable"
    _order(patrol, 2, at(7, 0))  # level II: round-the-clock patrols are not asked
    assert _gap(a) == {}
    assert _status(a)[0] == "not_applicable"


def test_gap_within_the_limit_is_met_then_exceeded_is_unmet(patrol, clock):
    a = patrol["a"]
    _order(patrol, 1, at(7, 0))
    _walk_morning(patrol, clock)
    clock.set(at(9, 30))
    # 07:00 → 08:00 one hour, 08:05 → 09:30 1.42 hours: within two hours.
    assert _gap(a) == {"alert_patrol_gap_hours": 1.42, "alert_patrol_gap_limit_hours": 2.0}
    assert _status(a) == ("met", 1.42, 2.0)
    clock.set(at(10, 30))  # nobody since 08:05
    assert _status(a) == ("unmet", 2.42, 2.0)
    with override_settings(FANGFAN_ALERT_PATROL_GAP_HOURS=3):
        assert _status(a) == ("met", 2.42, 3.0)
    # School b, under the same level, never patrolled: the whole level is its gap.
    assert _gap(patrol["b"])["alert_patrol_gap_hours"] == 3.5


def test_window_starts_at_the_raise_to_level_i_and_reaches_back_a_day(patrol, clock):
    a = patrol["a"]
    _walk_morning(patrol, clock)
    clock.set(at(9, 0))
    order = _order(patrol, 2, at(7, 0))
    alerts.change_level(None, order, 1)  # raised at 09:00: the morning is before it
    clock.set(at(10, 0))
    assert _gap(a)["alert_patrol_gap_hours"] == 1.0
    # Two days on, no scan since: the gap is the last 24 hours, not the whole level.
    clock.set(at(10, 0) + 2 * dt.timedelta(days=1))
    assert _gap(a)["alert_patrol_gap_hours"] == 24.0


@pytest.mark.parametrize("gap_end, met", [((9, 30), "1"), ((10, 30), "0")])
def test_the_checklist_shows_the_state_beside_the_tick(patrol, clock, client, gap_end,
                                                       met):
    _order(patrol, 1, at(7, 0))
    _walk_morning(patrol, clock)
    clock.set(at(*gap_end))
    ua = UnitAlert.objects.get(unit=patrol["a"])
    alerts.acknowledge(patrol["admin"], ua)
    client.force_login(patrol["guard"])
    page = client.get(ua.get_absolute_url()).content.decode()
    assert page.count('data-testid="measure-computed"') == 1
    assert f'data-met="{met}"' in page
    text = ("at most 1.4 h without a patrol scan (2 h allowed)" if met == "1"
            else "2.4 h without a patrol scan, more than the 2 h allowed")
    assert text in page
    # The tick stays the unit's own: the measure is still to do.
    assert not ua.measures.get(code="patrols").done
