"""Where the nightly evaluation's time goes (issue 14): each fact family's grouped query
and its derive step, one after another in one thread, then the engine's phases, with
the CPU time of each beside its wall time (the machine is rarely quiet) and the load.

    .venv/bin/python benchmarks/nightly_profile.py --units 50000

Reads the data of `benchmarks/run.py --units N` (SQLite); writes only what a nightly
run would (nothing when the inputs are unchanged)."""
from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=50000)
    args = ap.parse_args()
    os.environ["FANGFAN_DATA_DIR"] = str(ROOT / "var" / f"bench-sqlite-{args.units}")
    os.environ["FANGFAN_DEBUG"] = "0"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    families()
    phases()


def families() -> None:
    from fangfan.core.models import Unit
    from fangfan.core.scoping import subtree_q
    from fangfan.standards import engine
    from fangfan.standards import facts as registry
    from fangfan.standards.calendar import terms_read_once

    scope = subtree_q("unit_path", [Unit.objects.get(code="syn-root").path])
    needed = engine.read_facts(engine.requirements_of())
    print(f"load {os.getloadavg()[0]:.2f}\n")
    print("| family | rows | query s | query CPU s | derive s | derive CPU s |\n"
          "|---|---|---|---|---|---|")
    total = [0.0, 0.0]
    with terms_read_once():
        for name in registry.families_of(needed):
            fam = registry.FAMILIES[name]
            t, c = time.perf_counter(), cpu()
            rows = list(registry._query(fam, scope, needed))
            query = (time.perf_counter() - t, cpu() - c)
            t, c = time.perf_counter(), cpu()
            registry._derived(fam, rows)
            derive = (time.perf_counter() - t, cpu() - c)
            total[0] += query[1]
            total[1] += derive[1]
            print(f"| {name} | {len(rows)} | {query[0]:.2f} | {query[1]:.2f} | "
                  f"{derive[0]:.3f} | {derive[1]:.3f} |")
    print(f"\nCPU: queries {total[0]:.2f} s, derive {total[1]:.2f} s, "
          f"load {os.getloadavg()[0]:.2f}\n")


def phases() -> None:
    """`engine._evaluate` step by step, the families in one thread."""
    from fangfan.core.models import Unit
    from fangfan.core.scoping import subtree_q
    from fangfan.standards import engine
    from fangfan.standards import facts as registry
    from fangfan.standards.models import Evaluation

    roots = [Unit.objects.get(code="syn-root").path]
    units_q, records_q = subtree_q("path", roots), subtree_q("unit_path", roots)
    marks = [("start", time.perf_counter(), cpu())]

    def mark(label: str) -> None:
        marks.append((label, time.perf_counter(), cpu()))

    units = list(Unit.objects.filter(units_q).values_list("id", "path", *engine.ATTRS))
    by_pack: dict = {}
    for r in engine.requirements_of():
        by_pack.setdefault(r.pack, []).append(r)
    needed = engine.read_facts(r for reqs in by_pack.values() for r in reqs)
    packs = engine.active_packs(path for _, path, *_ in units)
    stored = dict(Evaluation.objects.filter(unit__in=Unit.objects.filter(units_q))
                  .values_list("unit_id", "digest"))
    mark("units, requirements, active packs, stored digests")
    values = registry.compute(records_q, needed)
    mark("fact families")
    cache: dict = {}
    defaults = registry.defaults()
    reqs_of: dict = {}
    changed = {}
    for unit_id, path, *attrs in units:  # as engine._evaluate
        chosen = frozenset(packs[path])
        if chosen not in reqs_of:
            mine = [r for urn in sorted(chosen) for r in by_pack.get(urn, [])]
            reqs_of[chosen] = (mine, f"({repr(repr([(r.pk, r.checksum) for r in mine]))}, ")
        mine, signature = reqs_of[chosen]
        facts = {**defaults, **values.get(path, {})}
        text = f"{signature}{attrs!r}, {sorted(facts.items())!r})"
        digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        if stored.get(unit_id) != digest:
            env = dict(zip(engine.ATTRS, attrs, strict=True))
            env.update(facts)
            changed[unit_id] = (path, digest, engine._rows(mine, env, cache))
    mark(f"digests and CEL ({len(changed)} units changed)")
    where = {u[0]: (u[1], u[2 + engine.ATTRS.index("stage")],
                    u[2 + engine.ATTRS.index("locale")]) for u in units if u[0] in changed}
    engine._store(units_q, changed, where)
    mark("store")
    print("| phase | s | CPU s |\n|---|---|---|")
    for (_, t0, c0), (label, t1, c1) in zip(marks, marks[1:], strict=False):
        print(f"| {label} | {t1 - t0:.2f} | {c1 - c0:.2f} |")
    print(f"| total | {marks[-1][1] - marks[0][1]:.2f} | {marks[-1][2] - marks[0][2]:.2f} |")
    print(f"\nload {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
