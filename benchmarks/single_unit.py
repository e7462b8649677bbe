"""A single unit's re-evaluation after a change (issue 14's "single unit" target), on a
small synthetic tree, without the province that `run.py` generates first.

    FANGFAN_DATA_DIR=/tmp/single [DATABASE_URL=postgres://…/fresh_db] \
        .venv/bin/python benchmarks/single_unit.py [--units 200] [--runs 200] [--profile]

The data directory (or the database) gets `fangfan generate --units N` and a first
evaluation once; then a school with guards is changed and evaluated `--runs` times, two
ways:

- flip: a guard turns part-time and back, so R-STAFF changes and a gap hazard is raised
  and closed each time (the results are written);
- no flip: a field no fact reads changes, so every fact is computed and nothing is
  written (the floor of any re-evaluation).

Prints p50 and p95 of each and the queries of one evaluation; --profile adds a cProfile
of 100 flips."""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")


def measure(leaf, guard, runs: int, flip: bool) -> list[float]:
    from fangfan.resources.models import Person
    from fangfan.standards import engine

    samples = []
    for i in range(runs):
        change = {"full_time": i % 2 == 1} if flip else {"employer": f"benchmark {i}"}
        Person.objects.filter(pk=guard.pk).update(**change)
        t = time.perf_counter()
        engine.evaluate_units([leaf.path])
        samples.append((time.perf_counter() - t) * 1000)
    return sorted(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangfan.core.models import Unit
    from fangfan.resources.models import Person
    from fangfan.standards import engine

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        call_command("generate", "--units", str(args.units), verbosity=0)
        engine.evaluate_subtree([Unit.objects.get(parent=None).path])
    leaf = Unit.objects.filter(kind="school", person__is_guard=True).first()
    guard = Person.objects.filter(unit=leaf, is_guard=True).first()
    print(f"# single unit's re-evaluation, {connection.vendor}, {Unit.objects.count()} units,"
          f" {args.runs} runs, load average {os.getloadavg()[0]:.1f}\n")
    print("| change | p50 ms | p95 ms |\n|---|---|---|")
    for name, flip in (("no flip", False), ("flip", True)):
        samples = measure(leaf, guard, args.runs, flip)
        p95 = samples[int(0.95 * (len(samples) - 1))]
        print(f"| {name} | {statistics.median(samples):.1f} | {p95:.1f} |")
    with CaptureQueriesContext(connection) as queries:
        engine.evaluate_units([leaf.path])
    print(f"\nqueries of one evaluation: {len(queries.captured_queries)}")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(measure, leaf, guard, 100, True)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
