"""Benchmarks: server time of pages and API at city or province scale, and the standards
engine (full evaluation, single-unit re-evaluation, authority pages).

    .venv/bin/python benchmarks/run.py --units 5000 [--database-url URL] [--requests 60]

Measures in-process with django.test.Client (server time: routing, queries, rendering;
no network). Data is generated once per data directory and reused."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--skip-pages", action="store_true")
    ap.add_argument("--only-hazards", action="store_true",
                    help="issue 9's figures alone: hazards, then a nightly evaluation")
    args = ap.parse_args()
    kind = "pg" if args.database_url.startswith("postgres") else "sqlite"
    os.environ["FANGFAN_DATA_DIR"] = str(ROOT / "var" / f"bench-{kind}-{args.units}")
    os.environ["FANGFAN_DEBUG"] = "0"
    # Server time of the pages, not sign-in: supervisors' second factor is not asked.
    os.environ["FANGFAN_TWO_FACTOR_ROLES"] = ""
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.urls import get_resolver

    assert get_resolver().url_patterns  # import every view now, not halfway through a run
    prepare(args.units)
    print(f"# {kind}, {args.units} units\n")
    if args.only_hazards:
        hazards(args.requests)
        nightly()
        return
    if not args.skip_pages:
        pages(args.requests)
    hazards(args.requests)
    standards(args.requests)


def prepare(units: int) -> None:
    from django.core.management import call_command

    from fangfan.core.models import Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.filter(code="syn-root").exists():
        started = time.perf_counter()
        call_command("generate", units=units, stderr=open(os.devnull, "w"))
        print(f"generated in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        call_command("standards", "evaluate", "--all")
        print(f"first evaluation in {time.perf_counter() - started:.1f} s")


def bench_school() -> str:
    """A school inside the benchmark district, so every user can read its records."""
    from fangfan.core.models import Unit

    district = Unit.objects.get(code="syn-d0003")
    return Unit.objects.filter(parent=district).order_by("code").values_list(
        "code", flat=True)[7]


def users():
    from fangfan.core import services
    from fangfan.core.models import Role, Unit, User

    def user(name: str, code: str, role: str) -> User:
        u, created = User.objects.get_or_create(username=f"{name}-{code}",
                                                defaults={"language": "en"})
        if created:
            services.grant_role(None, u, Unit.objects.get(code=code), role)
        return u

    return {"unit admin (1 school)": user("bench-school", bench_school(), Role.UNIT_ADMIN),
            "supervisor (district, 50 schools)": user("bench-district", "syn-d0003",
                                                      Role.SUPERVISOR),
            "system admin (whole tree)": user("bench-root", "syn-root", Role.SYSTEM_ADMIN)}


def timed(client, url: str, n: int) -> tuple[float, float, float]:
    for _ in range(3):
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        resp = client.get(url)
        if hasattr(resp, "streaming_content"):
            b"".join(resp.streaming_content)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return (statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], samples[-1])


def row(label: str, url: str, figures: tuple[float, float, float], target: float) -> None:
    p50, p95, top = figures
    flag = "" if p95 < target else " ⚠"
    print(f"| {label} | `{url}` | {p50:.1f} | {p95:.1f}{flag} | {top:.1f} |")


def pages(n: int) -> None:
    from django.test import Client

    from fangfan.resources.models import Asset

    asset = Asset.objects.filter(unit__code=bench_school()).first()
    print("| user | request | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for label, user in users().items():
        client = Client()
        client.force_login(user)
        urls = ["/", "/people/", "/locations/", "/assets/", "/units/", "/people/?q=王",
                "/assets/?category=camera&page=3", "/api/people/?is_guard=false",
                f"/api/assets/{asset.pk}/"]
        if "supervisor" not in label:  # supervisors read records, not the audit log
            urls.append("/audit/")
        if "whole" in label:
            urls += ["/people/?page=50", "/assets/?sort=-quantity"]
        for url in urls:
            row(label, url, timed(client, url, n), 100)
    print()


def hazards(n: int) -> None:
    """Issue 9: the hazard board of a district, a city and the whole tree (100 ms), a
    school's hazard list (50 ms), and the escalation pass (10 s)."""
    from django.test import Client
    from django.utils import timezone

    from fangfan.inspections import escalation, tallies
    from fangfan.inspections.models import OPEN_STATUSES, Hazard

    total = Hazard.objects.count()
    open_ = Hazard.objects.filter(status__in=OPEN_STATUSES).count()
    print(f"hazards: {total}, open {open_}\n")
    print("| user | request | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    who = users()
    for label, urls, target in [
            ("unit admin (1 school)", ["/hazards/", "/hazards/?open=true"], 50),
            ("supervisor (district, 50 schools)", ["/hazards/board/syn-d0003/"], 100),
            ("system admin (whole tree)", ["/hazards/board/syn-c000/",
                                           "/hazards/board/syn-root/",
                                           "/hazards/board/syn-root/?page=2"], 100)]:
        client = Client()
        client.force_login(who[label])
        for url in urls:
            row(label, url, timed(client, url, n), target)
    print()
    today = timezone.localdate()
    for mark in ("reminded_on", "overdue_notified_on", "escalated_on"):  # a rerun: due again
        again = list(Hazard.objects.filter(**{mark: today}).values_list("pk", flat=True))
        Hazard.objects.filter(pk__in=again).update(**{mark: None})
        if mark == "escalated_on":  # a bulk UPDATE: the board's counts told apart
            tallies.escalated(again, -1)
    for attempt in ("first pass of the day", "second pass (nothing due)"):
        t = time.perf_counter()
        counts = escalation.run(today)
        print(f"escalation, {attempt}: {counts} in {time.perf_counter() - t:.2f} s\n")


def nightly() -> None:
    """The nightly evaluation (inputs unchanged since the last one), every fact family."""
    from fangfan.core.models import Unit
    from fangfan.standards import engine

    root = Unit.objects.get(code="syn-root")
    for _ in range(2):
        t = time.perf_counter()
        rows = engine.evaluate_subtree([root.path])
        print(f"full evaluation, nightly (inputs unchanged): {rows} results written in "
              f"{time.perf_counter() - t:.2f} s\n")


def standards(n: int) -> None:
    from django.test import Client

    from fangfan.core.models import Unit
    from fangfan.resources.models import Person
    from fangfan.standards import engine, tallies
    from fangfan.standards.models import Evaluation

    root = Unit.objects.get(code="syn-root")
    units = Unit.objects.count()
    Evaluation.objects.all().delete()  # cold: every unit evaluated and its results written
    t = time.perf_counter()
    rows = engine.evaluate_subtree([root.path])
    print(f"full evaluation, cold: {rows} results written for {units} units in "
          f"{time.perf_counter() - t:.2f} s (tallies recounted within)\n")
    Evaluation.objects.update(digest="a release ago")  # every unit's inputs changed
    t = time.perf_counter()
    rows = engine.evaluate_subtree([root.path])
    print(f"full evaluation, after a release (every unit's inputs changed, its results "
          f"not): {rows} results written for {units} units in "
          f"{time.perf_counter() - t:.2f} s\n")
    t = time.perf_counter()
    rows = engine.evaluate_subtree([root.path])
    print(f"full evaluation, every record read (inputs unchanged): {rows} results written "
          f"for {units} units in {time.perf_counter() - t:.2f} s\n")
    t = time.perf_counter()
    rows = engine.evaluate_subtree([root.path], incremental=True)
    print(f"full evaluation, nightly (kept facts, inputs unchanged): {rows} results written "
          f"for {units} units in {time.perf_counter() - t:.2f} s\n")
    t = time.perf_counter()
    tallies.rebuild()
    print(f"tallies recount: {time.perf_counter() - t:.2f} s\n")
    leaf = Unit.objects.get(code=bench_school())
    guard = Person.objects.filter(unit=leaf, is_guard=True).first()
    samples = []
    for i in range(n):  # a guard turns part-time and back: results change every time
        Person.objects.filter(pk=guard.pk).update(full_time=i % 2 == 1)
        t = time.perf_counter()
        engine.evaluate_units([leaf.path])
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    print(f"single-unit re-evaluation after a change: p50 {statistics.median(samples):.1f} "
          f"ms, p95 {samples[int(0.95 * (n - 1))]:.1f} ms\n")
    print("| user | request | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for label, user in users().items():
        client = Client()
        client.force_login(user)
        code = {"unit": bench_school(), "supe": "syn-d0003", "syst": "syn-root"}[label[:4]]
        url = (f"/compliance/{code}/" if code.startswith("syn-u")
               else f"/compliance/{code}/overview/")
        row(label, url, timed(client, url, max(5, n // 4)), 300)
        if not code.startswith("syn-u"):  # the gap matrix: 100 ms (issue 8)
            for url in [f"/compliance/{code}/matrix/",
                        f"/compliance/{code}/matrix/?by=requirement&page=3",
                        f"/compliance/{code}/matrix/?stage=primary&locale=rural"]:
                row(label, url, timed(client, url, n), 100)


if __name__ == "__main__":
    main()
