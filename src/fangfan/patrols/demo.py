"""Demo data of patrols: 新桥's route of five checkpoints at its key locations, walked
five times a day by its guard 黄建刚 for the last three days, with one checkpoint missed
(the power room at 16:00 the day before yesterday), counted by the worker; the QR codes
are ready to print. The route leaves out two key locations (the student drinking-water
point and the information centre), so the demo school shows the GB/T 29315-2022 gap."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit, User
from fangfan.patrols import services as patrols
from fangfan.patrols.models import Checkpoint, PatrolRound, PatrolRoute, PatrolScan
from fangfan.resources.models import Location, Person

PLACES = ["南校门", "南门卫", "食堂", "配电房", "监控中心"]
TIMES = ["07:00", "10:00", "13:00", "16:00", "21:00"]
# (days ago, time, place): the one checkpoint nobody scanned.
MISSED = (2, "16:00", "配电房")
NOTES = {("配电房", "21:00"): "门锁完好，无异味", ("食堂", "10:00"): "操作间无外人"}


@demo_part(77)  # after the incidents (76); before alerts (80)
def patrols_demo(units: dict[str, Unit]) -> None:
    xinqiao = units["xinqiao"]
    admin = User.objects.get(username="xinqiao_admin")
    guard = Person.objects.filter(unit=xinqiao, name="黄建刚").first()
    route = services.create_record(admin, PatrolRoute, {
        "unit": xinqiao, "name": "校园重点部位巡查", "times": ", ".join(TIMES),
        "tolerance_minutes": 30,
        "notes": "门卫保安每日5次巡查重点部位，逐点扫码登记（GB/T 29315-2022）"})
    points = {}
    for order, name in enumerate(PLACES, start=1):
        location = Location.objects.get(unit=xinqiao, name=name)
        points[name] = services.create_record(admin, Checkpoint, {
            "unit": xinqiao, "route": route, "location": location, "order": order})
    today = timezone.localdate()
    for ago in (3, 2, 1):
        for due in route.due_times(today - dt.timedelta(days=ago)):
            _walk(route, points, due, guard, ago)
    patrols.check_rounds()


def _walk(route: PatrolRoute, points: dict, due: dt.datetime, guard, ago: int) -> None:
    """One round walked from five minutes before its time, a checkpoint every four
    minutes, all within the tolerance."""
    rnd = services.create_record(None, PatrolRound, {
        "unit": route.unit, "route": route, "due_at": due, "status": "walking",
        "started_at": due - dt.timedelta(minutes=5), "started_by": guard})
    hhmm = f"{timezone.localtime(due):%H:%M}"
    at = due - dt.timedelta(minutes=5)
    for name, point in points.items():
        at += dt.timedelta(minutes=4)
        if (ago, hhmm, name) == MISSED:
            continue
        services.create_record(None, PatrolScan, {
            "unit": route.unit, "round": rnd, "checkpoint": point, "scanned_at": at,
            "person": guard, "note": NOTES.get((name, hhmm), "")})
    services.update_following(None, rnd, {"status": "finished", "finished_at": at})
