"""Profile and repeat the alert order page at province scale (issue 11): issues level III
over the whole tree of var/bench-alerts-bare-50000 (made by `alerts.py --units 50000
--bare`), prints each page's queries (slowest first), REPS runs of 60 requests with the
load average, and a cProfile of 20 requests of the order page; the order is deleted at
the end, so the data stays as it was.

    REPS=5 .venv/bin/python benchmarks/alerts_profile.py
"""
from __future__ import annotations

import cProfile
import datetime as dt
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    os.environ["FANGFAN_DATA_DIR"] = str(ROOT / "var" / "bench-alerts-bare-50000")
    os.environ["FANGFAN_DEBUG"] = "0"
    os.environ["FANGFAN_TWO_FACTOR_ROLES"] = ""
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.urls import get_resolver

    assert get_resolver().url_patterns


def runs(client, url: str, reps: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(url, len(queries.captured_queries), "queries")
    for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
        print("  ", q["time"], q["sql"][:300])
    for rep in range(reps):
        samples = []
        for _ in range(60):
            t = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        print(f"  run {rep}: p50 {statistics.median(samples):.1f} p95 "
              f"{samples[int(0.95 * 59)]:.1f} max {samples[-1]:.1f} "
              f"load {os.getloadavg()}", flush=True)


def main() -> None:
    setup()
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from fangfan.alerts.models import AlertOrder
    from fangfan.core import services
    from fangfan.core.models import Role, Unit, User

    root_unit = Unit.objects.get(code="syn-root")
    root, _ = User.objects.get_or_create(username="bench-alerts-root",
                                         defaults={"language": "en"})
    services.grant_role(None, root, root_unit, Role.SUPERVISOR)
    AlertOrder.objects.filter(reason__startswith="benchprof").delete()
    now = timezone.now()
    t = time.perf_counter()
    with transaction.atomic():
        order = services.create_record(root, AlertOrder, {
            "unit": root_unit, "level": 3, "reason": "benchprof",
            "starts_at": now - dt.timedelta(hours=5), "ends_at": now + dt.timedelta(days=3)})
    print(f"issued in {time.perf_counter() - t:.2f} s", flush=True)
    try:
        client = Client()
        client.force_login(root)
        for url in (order.get_absolute_url(), f"/alerts/levels/{order.pk}/live/"):
            runs(client, url, int(os.environ.get("REPS", "3")))
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(20):
            client.get(order.get_absolute_url())
        profile.disable()
        for key, lines in (("cumulative", 45), ("tottime", 25)):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(key).print_stats(lines)
            print(out.getvalue())
    finally:
        AlertOrder.objects.filter(reason__startswith="benchprof").delete()


if __name__ == "__main__":
    main()
