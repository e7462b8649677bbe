from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.patrols.models import Checkpoint, PatrolRoute
from fangfan.resources.models import Location, Person

# A Monday morning, local time; the route's rounds are at 08:00 and 14:00 (30 minutes'
# tolerance): 07:30–08:30 on time, to 09:00 late, then ended.
MONDAY = dt.date(2026, 11, 23)


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock: `clock.set(at(8, 5))` is now everywhere (timezone.now)."""
    class Clock:
        now = at(7, 0)

        def set(self, value: dt.datetime) -> None:
            self.now = value

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def patrol(tree, make_user, clock):
    """School a with a route of three checkpoints (two key locations), a guard linked to
    their person; school b with a route and checkpoint of its own."""
    clock.set(at(6, 0, MONDAY - dt.timedelta(days=3)))
    a, b = tree["a"], tree["b"]
    admin, guard = make_user(Role.UNIT_ADMIN, a), make_user(Role.GUARD, a)
    person = services.create_record(None, Person, {"unit": a, "name": "黄建刚", "user": guard})
    places = [services.create_record(None, Location, {
        "unit": a, "name": name, "kind": kind, "is_key": key})
        for name, kind, key in (("南校门", "main_gate", True), ("配电房", "power_room", True),
                                ("操场", "playground", False))]
    route = services.create_record(admin, PatrolRoute, {
        "unit": a, "name": "白天巡查", "times": "14:00, 8:00", "tolerance_minutes": 30})
    points = [services.create_record(admin, Checkpoint, {
        "unit": a, "route": route, "location": place, "order": i + 1})
        for i, place in enumerate(places)]
    other_route = services.create_record(admin, PatrolRoute, {
        "unit": a, "name": "夜间巡查", "times": "21:00"})
    other_point = services.create_record(admin, Checkpoint, {
        "unit": a, "route": other_route, "location": places[0], "order": 1})
    b_place = services.create_record(None, Location, {"unit": b, "name": "北门",
                                                      "kind": "main_gate"})
    b_route = services.create_record(None, PatrolRoute, {"unit": b, "name": "巡查",
                                                         "times": "08:00"})
    b_point = services.create_record(None, Checkpoint, {"unit": b, "route": b_route,
                                                        "location": b_place})
    clock.set(at(7, 0))
    return {**tree, "admin": admin, "guard": guard, "person": person, "route": route,
            "points": points, "places": places, "other_point": other_point,
            "b_point": b_point, "staff": make_user(Role.STAFF, a),
            "other_admin": make_user(Role.UNIT_ADMIN, b)}
