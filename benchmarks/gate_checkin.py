"""Gate check-in and patrol scan at the morning peak (issue 10), against the stack floor,
side by side in one run.

    .venv/bin/python benchmarks/gate_checkin.py [--database-url postgres://…/postgres]
        [--units 5000] [--clients 8] [--seconds 12] [--profile]

The app and the bare Django project are started as `stack_floor.py` starts them (its
helpers: same gunicorn shape, same database settings, fresh databases). Before the app
serves, its database is given a city (`fangfan generate --units N`, then the first
standards evaluation, as `run.py` prepares its data) and, in one school of it
(`GATE_SETUP`):

- a guard (a user with the guard role, linked to a person of the school), whose token
  the clients use;
- the morning's visitors: confirmed appointments expected from a few minutes ago to two
  hours ahead, one per check-in request of the run (the rest of the city has a month of
  visits already checked out, and each school a watch-list entry, so the check-in's
  watch-list lookup reads a real table);
- patrol routes with their rounds open now (due in a quarter of an hour), each with
  checkpoints at the school's locations, one per scan request of the run.

Then, with N client processes for S seconds each:

- check-in: `PATCH /api/visits/<id>/` {status: checked_in, document type, document seen
  and returned}, each visit once — the API's check-in (docs/gate.md);
- patrol scan: `POST /api/patrol-scans/` {round, checkpoint}, each pair once, every client
  walking its own rounds;
- the floor: the bare view inserting one row from a JSON body (`stack_floor.FLOOR_WRITE`).

Targets (issue 10): check-in ≥ 0.5× the floor's rate and p95 < 50 ms at city scale;
patrol scan p95 < 50 ms. --profile samples the app's workers with py-spy during a second
check-in and scan run (fresh visits and rounds)."""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from stack_floor import (
    FLOOR_WRITE,
    PASSWORD,
    PY,
    TABLE_HEAD,
    Load,
    fangfan_env,
    load,
    profile,
    row,
    run,
    serve_fangfan,
    start_floor,
    stop,
)

GUARD = "guard-bench"
# A check-in as the guard's phone sends it: a passport shown (an identity card would
# ask its number too) and handed back.
CHECK_IN = {"status": "checked_in", "document_type": "passport", "document_returned": True}

GATE_SETUP = """
import datetime as dt, json, random, sys
import django; django.setup()
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from fangfan.core import services
from fangfan.core.models import Role, Unit, User
from fangfan.gate.models import Visit, VisitStatus, WatchEntry
from fangfan.patrols.models import Checkpoint, PatrolRound, PatrolRoute
from fangfan.patrols.services import window_at
from fangfan.resources.models import Location, Person

VISITS, ROUTES, POINTS, PASSWORD = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                    sys.argv[4])
rng = random.Random(10)
now = timezone.now()
leaves = Unit.objects.filter(code__startswith="syn-u")
# run.py's benchmark school: the eighth of district 3 (the first school in a small city)
district = Unit.objects.filter(code="syn-d0003").first()
school = (leaves.filter(parent=district).order_by("code")[7:8].first() if district
          else None) or leaves.order_by("code").first()
user = User.objects.create_user("GUARD_", password=PASSWORD, language="zh-hans")
services.grant_role(None, user, school, Role.GUARD)
services.create_record(None, Person, {"unit": school, "name": "压测保安", "user": user,
                                      "is_guard": True, "post": "保安员"})
hosts = list(Person.objects.filter(unit=school, is_guard=False)[:10])
admin = User.objects.create_user("gate-admin-bench", language="zh-hans")

def visit(unit, host_id, at, status, **extra):
    plate = f"京A{rng.randint(10000, 99999)}" if rng.random() < 0.2 else ""
    return Visit(unit=unit, unit_path=unit.path, visitor_name=rng.choice("王李张刘陈")
                 + rng.choice("伟芳娜敏静丽强"), phone=f"139{rng.randint(0, 10**8 - 1):08d}",
                 purpose=rng.choice(["送货", "家长会", "设备维修", "来访"]), host_id=host_id,
                 expected_at=at, vehicle_plate=plate, status=status, **extra)

# The city's month of visits, over and gone; one watch-list entry per school.
city = []
people = dict(Person.objects.filter(unit__in=leaves, is_guard=False).order_by()
              .values_list("unit_id", "pk"))
for unit in leaves.exclude(pk=school.pk):
    for _ in range(20):
        at = now - dt.timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
        city.append(visit(unit, people[unit.pk], at, VisitStatus.CHECKED_OUT,
                          document_type="id_card", document_returned=True,
                          checked_in_at=at, checked_out_at=at + dt.timedelta(hours=1)))
Visit.objects.bulk_create(city, batch_size=5000)
WatchEntry.objects.bulk_create([
    WatchEntry(unit=u, unit_path=u.path, name="赵某某", reason="法院禁止令")
    for u in leaves], batch_size=5000)
WatchEntry.objects.bulk_create([
    WatchEntry(unit=school, unit_path=school.path, name=f"钱某{i}", plate=f"沪B{i:05d}",
               reason="曾在校门口滋事") for i in range(5)])
# This morning's appointments of the school, confirmed by their hosts.
Visit.objects.bulk_create([
    visit(school, rng.choice(hosts).pk, now + dt.timedelta(seconds=rng.randint(-600, 7200)),
          VisitStatus.CONFIRMED, confirmed_by=admin, confirmed_at=now)
    for _ in range(VISITS)], batch_size=5000)
visits = list(Visit.objects.filter(unit=school, status=VisitStatus.CONFIRMED)
              .order_by("pk").values_list("pk", flat=True))
# Patrol routes due a quarter of an hour from now: their rounds take scans at once.
places = list(Location.objects.filter(unit=school))
Location.objects.bulk_create([
    Location(unit=school, unit_path=school.path, name=f"巡查点{i:02d}", kind="other")
    for i in range(max(0, POINTS - len(places)))])
places = list(Location.objects.filter(unit=school).order_by("pk"))[:POINTS]
due = timezone.localtime(now + dt.timedelta(minutes=15))
routes = PatrolRoute.objects.bulk_create([
    PatrolRoute(unit=school, unit_path=school.path, name=f"压测路线{r:03d}",
                times=f"{due:%H:%M}", tolerance_minutes=30) for r in range(ROUTES)])
routes = list(PatrolRoute.objects.filter(unit=school).order_by("pk"))
Checkpoint.objects.bulk_create([
    Checkpoint(unit=school, unit_path=school.path, route=r, location=p, order=i + 1)
    for r in routes for i, p in enumerate(places)], batch_size=5000)
PatrolRound.objects.bulk_create([
    PatrolRound(unit=school, unit_path=school.path, route=r, due_at=window_at(r, now))
    for r in routes])
rounds = dict(PatrolRound.objects.filter(unit=school).values_list("route_id", "pk"))
points = {}
for route_id, pk in Checkpoint.objects.filter(unit=school).order_by("order") \\
        .values_list("route_id", "pk"):
    points.setdefault(route_id, []).append(pk)
# Point-major: item n is round n % ROUTES, so each client walks rounds of its own.
scans = [[rounds[r.pk], points[r.pk][i]] for i in range(POINTS) for r in routes]
print(json.dumps({"school": school.name, "code": school.code, "visits": visits, "scans": scans,
                  "city_visits": len(city)}))
""".replace("GUARD_", GUARD)


def timed(args: list[str], env: dict) -> tuple[str, float]:
    started = time.perf_counter()
    out = run(args, env)
    return out, time.perf_counter() - started


def prepare(env: dict, units: int, visits: int, routes: int, points: int) -> dict:
    """The city and the school's morning in the app's database: what was made, with
    the times taken."""
    made: dict = {}
    _out, made["generate_s"] = timed(
        [PY, "-m", "fangfan", "generate", "--units", str(units)], env)
    _out, made["evaluate_s"] = timed(
        [PY, "-m", "fangfan", "standards", "evaluate", "--all"], env)
    out, made["gate_setup_s"] = timed(
        [PY, "-c", GATE_SETUP, str(visits), str(routes), str(points), PASSWORD], env)
    made.update(json.loads(out.strip().splitlines()[-1]))
    return made


def halves(items: list) -> tuple[tuple, tuple]:
    """The measured run's items and the profile's (never the same visit twice)."""
    mid = len(items) // 2
    return tuple(items[:mid]), tuple(items[mid:])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default="",
                    help="a PostgreSQL server (any database on it): fresh databases are made")
    ap.add_argument("--units", type=int, default=5000, help="schools in the city")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=12)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--visits", type=int, default=20000,
                    help="the morning's appointments (half for the profile run)")
    ap.add_argument("--routes", type=int, default=800)
    ap.add_argument("--checkpoints", type=int, default=30, help="per route")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    base = args.database_url or None
    work = Path(tempfile.mkdtemp(prefix="gate-checkin-"))
    fangfan = floor = url = None
    try:
        env, url, data = fangfan_env(work, base)
        made = prepare(env, args.units, args.visits, args.routes, args.checkpoints)
        fangfan = serve_fangfan(env, data, args.workers, GUARD)
        floor = start_floor(work, base, args.workers)
        visits, visits_later = halves([{"id": pk} for pk in made["visits"]])
        scans, scans_later = halves([{"body": {"round": r, "checkpoint": c}}
                                     for r, c in made["scans"]])
        check_in = Load("PATCH", "/api/visits/{id}/", CHECK_IN, items=visits)
        scan = Load("POST", "/api/patrol-scans/", {"unit": made["code"], "note": ""},
                    items=scans)
        kind = "PostgreSQL" if base else "SQLite"
        print(f"# gate check-in and patrol scan, {kind}, city of {args.units} schools "
              f"(generated in {made['generate_s']:.0f} s, first evaluation "
              f"{made['evaluate_s']:.0f} s, {made['city_visits']} past visits and the "
              f"morning in {made['gate_setup_s']:.0f} s), school {made['school']}, "
              f"{args.clients} clients × {args.seconds:g} s, gunicorn {args.workers} × 4, "
              f"{platform.python_version()}, {os.cpu_count()} CPUs\n")
        print(TABLE_HEAD)
        for name, spec in (("check-in", check_in), ("patrol scan", scan)):
            before = os.getloadavg()[0]
            a = load(fangfan[1], spec, fangfan[2], args.clients, args.seconds)
            f = load(floor[1], FLOOR_WRITE, None, args.clients, args.seconds)
            print(row(name, a, f) + f" load {before:.1f}→{os.getloadavg()[0]:.1f}",
                  flush=True)
        if args.profile:
            for spec in (Load("PATCH", check_in.path, CHECK_IN, items=visits_later),
                         Load("POST", scan.path, scan.body, items=scans_later)):
                profile(fangfan[0], fangfan[1], fangfan[2], args.clients, args.seconds,
                        spec)
    finally:
        stop(base, work, fangfan, floor, databases=[url, floor[-1] if floor else None])


if __name__ == "__main__":
    sys.exit(main())
