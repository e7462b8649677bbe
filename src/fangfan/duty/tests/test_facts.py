"""The roster's facts: guards on duty at the gate (so R-KIT is evaluated) and the normal
guard force the alert levels build on."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.alerts import baseline
from fangfan.core import services
from fangfan.core.scoping import subtree_q
from fangfan.duty.facts import normal_guard_force
from fangfan.duty.tests.helpers import person, post, shift
from fangfan.resources.models import Asset, Location
from fangfan.standards import engine, facts
from fangfan.standards.facts import UNIT_ATTRIBUTES
from fangfan.standards.models import Result

KIT = ["helmet", "shield", "stab_vest", "cut_gloves", "baton", "strong_flashlight",
       "defence_spray"]


def guards_on_duty(unit):
    return facts.compute_unit(unit.path).get(unit.path, {}).get("guards_on_duty")


def test_guards_on_duty_is_the_peak_at_gate_posts(tree):
    assert guards_on_duty(tree["a"]) is None  # no gate-post shift: unknown
    now = timezone.now()
    gate = post(tree["a"], people_per_shift=2)
    side = post(tree["a"], "北门岗")
    patrol = post(tree["a"], "巡逻岗", "patrol")
    g = [person(tree["a"], f"保安{i}", guard=True) for i in range(4)]
    shift(g[0], gate, now + dt.timedelta(hours=1), now + dt.timedelta(hours=9))
    shift(g[1], gate, now + dt.timedelta(hours=2), now + dt.timedelta(hours=10))
    shift(g[2], side, now + dt.timedelta(hours=8), now + dt.timedelta(hours=12))
    shift(g[3], patrol, now + dt.timedelta(hours=3), now + dt.timedelta(hours=5))
    assert guards_on_duty(tree["a"]) == 3  # 8:00–9:00 from now: two at the gate, one north
    # Beyond the coming week, it does not count; a unit with gate shifts then only: 0.
    shift(person(tree["b"], "赵六", guard=True), post(tree["b"]),
          now + dt.timedelta(days=8), now + dt.timedelta(days=8, hours=8))
    assert guards_on_duty(tree["b"]) == 0
    # In bulk over a subtree, the same values.
    bulk = facts.compute(subtree_q("unit_path", [tree["district"].path]))
    assert (bulk[tree["a"].path]["guards_on_duty"], bulk[tree["b"].path]["guards_on_duty"]) \
        == (3, 0)


def test_r_kit_is_evaluated_from_the_roster(tree):
    unit = tree["a"]
    room = services.create_record(None, Location, {"unit": unit, "name": "南门卫",
                                                   "kind": "gate_duty_room"})
    for category in KIT:
        services.create_record(None, Asset, {"unit": unit, "category": category,
                                             "name": category, "location": room,
                                             "quantity": 1})
    services.create_record(None, Asset, {"unit": unit, "category": "steel_fork",
                                         "name": "钢叉", "location": room, "quantity": 2})

    def r_kit() -> Result:
        engine.evaluate_units([unit.path])
        return Result.objects.get(unit=unit, requirement__urn__endswith="r-kit")

    assert r_kit().status == "unknown"
    now = timezone.now()
    gate = post(unit)
    shift(person(unit, "王建国", guard=True), gate, now, now + dt.timedelta(hours=8))
    shift(person(unit, "李卫东", guard=True), gate, now + dt.timedelta(hours=1),
          now + dt.timedelta(hours=9))
    result = r_kit()
    assert (result.status, result.required, result.actual) == ("unmet", 2, 1)
    for asset in Asset.objects.filter(unit=unit, category__in=KIT):
        services.update_record(None, asset, {"quantity": 2})
    assert r_kit().status == "met"


def test_the_roster_is_the_alerts_baseline(tree):
    now = timezone.now()
    gate, patrol = post(tree["a"]), post(tree["a"], "巡逻岗", "patrol")
    shift(person(tree["a"], "王建国", guard=True), gate, now, now + dt.timedelta(hours=8))
    shift(person(tree["a"], "李卫东", guard=True), patrol, now, now + dt.timedelta(hours=8))
    leader = post(tree["a"], "带班领导", "leader")
    shift(person(tree["a"], "张红梅"), leader, now, now + dt.timedelta(hours=8))
    assert normal_guard_force(tree["district"].path) == {tree["a"].pk: 2}
    found = baseline.baselines(tree["district"].path, [
        (u.pk, {name: getattr(u, name) for name in UNIT_ATTRIBUTES})
        for u in (tree["a"], tree["b"])])
    assert found[tree["a"].pk] == (2, "roster")
    assert found[tree["b"].pk] == (2, "staffing")  # no roster: R-STAFF's 700 + 60 → 2
