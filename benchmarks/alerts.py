"""Benchmark of alert levels (issue 11): issuing, raising and standing down a level over
a whole city or province (fan-out), telling the units' leads (the worker's part), the
escalation pass, and the authority's live page (p95, target 100 ms).

    .venv/bin/python benchmarks/alerts.py --units 5000            # run.py's city data
    .venv/bin/python benchmarks/alerts.py --units 50000 --bare    # a bare province

Without `--bare` it uses (and if needed generates) the data directory of `run.py`;
with `--bare` it builds a tree of units only (root, cities, districts of 50 schools,
each school with 6 key locations and a unit administrator) in a directory of its own,
which is all the fan-out reads besides compliance results (then computed from R-STAFF).
Orders made here are deleted at the end, so the data stays as it was."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--bare", action="store_true")
    args = ap.parse_args()
    name = f"bench-alerts-bare-{args.units}" if args.bare else f"bench-sqlite-{args.units}"
    os.environ["FANGFAN_DATA_DIR"] = str(ROOT / "var" / name)
    os.environ["FANGFAN_DEBUG"] = "0"
    os.environ["FANGFAN_TWO_FACTOR_ROLES"] = ""
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.urls import get_resolver

    assert get_resolver().url_patterns
    import run

    if args.bare:
        bare(args.units)
    else:
        run.prepare(args.units)
    print(f"# sqlite, {args.units} units{' (bare)' if args.bare else ''}\n")
    bench(args.requests)


def bare(units: int) -> None:
    """A tree of `units` units, once: root → cities → districts → 50 schools each."""
    from django.core.management import call_command
    from django.db import transaction

    from fangfan.core.models import Role, RoleGrant, Unit, User
    from fangfan.core.synthetic import _units
    from fangfan.resources.models import Location

    call_command("migrate", verbosity=0)
    if Unit.objects.filter(code="syn-root").exists():
        return
    started = time.perf_counter()
    with transaction.atomic():
        root = _units(None, [{"code": "syn-root", "name": "省教育厅", "kind":
                              "education_bureau"}])[0]
        schools_per_district, districts_per_city = 50, 10
        n_districts = max(1, units // (schools_per_district + 1))
        cities = _units(root, [{"code": f"syn-c{i:03d}", "name": f"第{i}市教育局",
                                "kind": "education_bureau"}
                               for i in range(max(1, n_districts // districts_per_city))])
        d = 0
        admins = []
        for city in cities:
            districts = _units(city, [{"code": f"syn-d{d + j:04d}", "name": f"第{d + j}区教育局",
                                       "kind": "education_bureau"}
                                      for j in range(districts_per_city)])
            d += districts_per_city
            for district in districts:
                leaves = _units(district, [
                    {"code": f"{district.code}-s{k:02d}", "name": f"{district.name}第{k}学校",
                     "kind": "school", "stage": "primary", "locale": "city",
                     "staff_count": 40 + k, "student_count": 300 + 40 * k}
                    for k in range(schools_per_district)])
                Location.objects.bulk_create([
                    Location(unit=u, unit_path=u.path, name=f"重要部位{i}", kind="other",
                             is_key=True) for u in leaves for i in range(6)])
                admins += leaves
        users = User.objects.bulk_create([User(username=f"a-{u.code}", language="zh-hans")
                                          for u in admins], batch_size=2000)
        RoleGrant.objects.bulk_create([
            RoleGrant(user=user, unit=u, unit_path=u.path, role=Role.UNIT_ADMIN)
            for user, u in zip(users, admins, strict=True)], batch_size=2000)
    print(f"built {Unit.objects.count()} units in {time.perf_counter() - started:.0f} s")


def _timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    took = time.perf_counter() - t
    print(f"| {label} | {took:.2f} s |")
    return out


def bench(n: int) -> None:
    import datetime as dt

    import run
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from fangfan.alerts import escalation, notifying
    from fangfan.alerts import services as alerts
    from fangfan.alerts.models import AlertMeasure, AlertOrder, UnitAlert
    from fangfan.core import services
    from fangfan.core.models import Notification, Role, RoleGrant, Unit, User

    root_unit = Unit.objects.get(code="syn-root")
    city_unit = Unit.objects.filter(parent=root_unit).order_by("code").first()
    root, _ = User.objects.get_or_create(username="bench-alerts-root",
                                         defaults={"language": "en"})
    services.grant_role(None, root, root_unit, Role.SUPERVISOR)  # once (get_or_create)
    AlertOrder.objects.filter(reason__startswith="bench").delete()
    now = timezone.now()
    print("| step | time |\n|---|---|")
    for label, unit in (("city", city_unit), ("whole tree", root_unit)):
        covered = Unit.objects.filter(path__startswith=unit.path).count() - 1

        def issue(unit=unit):
            with transaction.atomic():
                return services.create_record(root, AlertOrder, {
                    "unit": unit, "level": 3, "reason": "bench 持刀伤人事件",
                    "starts_at": now - dt.timedelta(hours=5),
                    "ends_at": now + dt.timedelta(days=3)})

        order = _timed(f"issue level III, {label} ({covered} units)", issue)
        measures = AlertMeasure.objects.filter(unit_alert__order=order).count()
        print(f"| … rows written | {order.units_count} units, {measures} measures |")
        _timed(f"raise to level I, {label}",
               lambda order=order: alerts.change_level(root, order, 1))
        before = Notification.objects.count()
        _timed(f"tell the units' leads (worker), {label}",
               lambda order=order: notifying.tell_units(order.pk, "raised"))
        print(f"| … notifications | {Notification.objects.count() - before} |")
        if label == "whole tree":
            UnitAlert.objects.filter(order=order).update(issued_at=now - dt.timedelta(hours=5))
            _timed("escalation pass (all unacknowledged)",
                   lambda: escalation.run(now))
            _timed("escalation pass again (nothing due)", lambda: escalation.run(now))
            client = Client()
            client.force_login(root)
            print()
            print("| user | request | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
            for url in (order.get_absolute_url(), f"/alerts/levels/{order.pk}/live/",
                        f"/alerts/levels/{order.pk}/live/?page=20"):
                run.row(f"supervisor ({covered} units)", url, run.timed(client, url, n), 100)
            school = UnitAlert.objects.filter(order=order, unit__kind="school") \
                .order_by("pk").first()
            grant = RoleGrant.objects.filter(unit_id=school.unit_id,
                                             role=Role.UNIT_ADMIN).first()
            admin = grant.user if grant else None
            if admin is not None:
                client = Client()
                client.force_login(admin)
                url = school.get_absolute_url()
                run.row("unit admin (its checklist)", url, run.timed(client, url, n), 100)
                run.row("unit admin (home)", "/", run.timed(client, "/", n), 100)
            print()
            print("| step | time |\n|---|---|")
        _timed(f"stand down, {label}", lambda order=order: alerts.stand_down(root, order))
    def issue_one():
        with transaction.atomic():
            return services.create_record(root, AlertOrder, {
                "unit": root_unit, "level": 1, "reason": "bench 一级",
                "starts_at": now, "ends_at": now + dt.timedelta(days=3)})

    order = _timed("issue level I at once, whole tree", issue_one)
    print(f"| … rows written | {order.units_count} units, "
          f"{AlertMeasure.objects.filter(unit_alert__order=order).count()} measures |")
    _timed("lower to level III, whole tree",
           lambda: alerts.change_level(root, order, 3))
    _timed("delete the benchmark's orders",
           lambda: AlertOrder.objects.filter(reason__startswith="bench").delete())
    Notification.objects.filter(created_at__gte=now).delete()


if __name__ == "__main__":
    main()
