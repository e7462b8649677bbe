"""Per-authority counts of results (`Tally`), the source of the overview pages and the
daily snapshots at province scale.

`rebuild()` recounts everything from the stored results (after a full evaluation or a
pack change); `apply()` adjusts the ancestors of re-evaluated units by the difference
between their old and new results, so the figures stay exact between rebuilds."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from fangfan.core import bulk
from fangfan.core.models import PATH_WIDTH, Unit
from fangfan.core.prepared import Prepared, fetch
from fangfan.standards.models import Requirement, Result, Status, Tally

# (unit path, requirement id, status, facts, stage, locale) of one stored result.
Entry = tuple[str, int, str, dict, str, str]
FOUR_FACTS = ["closed_management", "gate_alarm_networked", "video_police_networked",
              "hu_xue_gang_posts"]


def deadline_requirements() -> set[int]:
    return {pk for (pk,) in _DEADLINE.rows()}


# Read by every adjustment of the tallies (a single unit's re-evaluation that changed
# something): compiled once (`core.prepared`), as the authorities above a unit and their
# tallies (`_authorities`, `fetch`).
_DEADLINE = Prepared(lambda: Requirement.objects.filter(ref="R-DEADLINE").values_list("pk"))
_AUTHORITIES: dict[int, Prepared] = {}


def _authorities(paths: list[str]) -> dict[str, int]:
    """The units among `paths` that have units below them: {path: id}. A unit's
    ancestors are a handful of paths, one SQL kept per count of them; a bulk adjustment's
    many are left to Django."""
    if len(paths) > 16:
        return dict(Unit.objects.filter(path__in=paths, children__isnull=False)
                    .distinct().values_list("path", "id"))
    query = _AUTHORITIES.get(len(paths))
    if query is None:
        marks = [f"\x00path-{i}\x00" for i in range(len(paths))]
        query = _AUTHORITIES.setdefault(len(paths), Prepared(
            lambda *p: Unit.objects.filter(path__in=list(p), children__isnull=False)
            .distinct().values_list("path", "id"), *marks))
    return dict(query.rows(*paths))


def counts_of(entries: Iterable[Entry], deadline: set[int]) -> Counter:
    """What a set of results adds to the tallies of an ancestor."""
    out: Counter = Counter()
    for _path, req, status, facts, stage, locale in entries:
        if status == Status.NOT_APPLICABLE:
            continue
        out[(str(req), stage, locale, status)] += 1
        if req in deadline:
            for key, value in four_targets(facts).items():
                out[(key, stage, locale, value)] += 1
    return out


def four_targets(facts: dict) -> dict[str, str]:
    """The three fact-based "four 100%" targets of one unit: met, unmet or unknown."""
    def status(value) -> str:
        return Status.UNKNOWN if value is None else Status.MET if value else Status.UNMET

    alarm, video = facts.get("gate_alarm_networked"), facts.get("video_police_networked")
    posts = facts.get("hu_xue_gang_posts")
    return {"four:closed": status(facts.get("closed_management")),
            "four:net": status(None if None in (alarm, video) else alarm and video),
            "four:posts": status(None if posts is None else posts >= 1)}


def rebuild() -> int:
    """Recount every authority's tallies from the stored results.

    Two grouped scans instead of one per tree depth: results are grouped by their unit's
    parent (a few hundred thousand groups for a province), then each group is added to
    that parent and every authority above it in Python; an authority's own results are
    counted for itself by small queries of their own."""
    inner = dict(Unit.objects.filter(children__isnull=False).distinct()
                 .values_list("path", "id"))
    deadline = deadline_requirements()
    base = Result.objects.exclude(status=Status.NOT_APPLICABLE).filter(
        unit__evaluation__isnull=False)  # results the engine did not write are not counted
    where = ["unit__evaluation__stage", "unit__evaluation__locale"]
    paths = dict(Unit.objects.filter(children__isnull=False).distinct()
                 .values_list("id", "path"))
    totals: dict[str, Counter] = {}

    def add(at: str, own: bool, key: tuple, count: int) -> None:
        """Results of an authority's own (`own`: counted for it alone, its ancestors get
        them through its parent's group) or of the children of `at` (counted for `at`
        and every authority above it)."""
        cuts = [len(at)] if own else range(PATH_WIDTH, len(at) + 1, PATH_WIDTH)
        for cut in cuts:
            if at[:cut] in inner:
                totals.setdefault(at[:cut], Counter())[key] += count

    plain = ["requirement_id", "status", *where]
    four = [*where, *[f"facts__{f}" for f in FOUR_FACTS]]
    for own, at, rows in ((False, "unit__parent_id", base.filter(unit__parent__isnull=False)),
                          (True, "unit_id", base.filter(unit_id__in=list(paths)))):
        for unit_id, req, status, stage, locale, count in (
                rows.values_list(at, *plain).annotate(count=Count("id")).order_by()):
            add(paths[unit_id], own, (str(req), stage, locale, status), count)
        for unit_id, stage, locale, *values, count in (
                rows.filter(requirement_id__in=deadline).values_list(at, *four)
                .annotate(count=Count("id")).order_by()):
            targets = four_targets(dict(zip(FOUR_FACTS, values, strict=True)))
            for key, value in targets.items():
                add(paths[unit_id], own, (key, stage, locale, value), count)
    counted = {(inner[path], *key): (path, n) for path, counter in totals.items()
               for key, n in counter.items() if n}
    with transaction.atomic():
        _write(counted)
    return len(counted)


def _write(counted: dict[tuple, tuple[str, int]]) -> None:
    """Make the stored tallies `counted` ({(unit, key, stage, locale, status): (path,
    n)}) by difference: a recount after a province's evaluation changes few of its
    370,000 tallies, and rewriting them all took 4 s."""
    table = connection.ops.quote_name(Tally._meta.db_table)
    stored, gone = {}, []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, unit_id, key, stage, locale, status, unit_path, n "
                       f"FROM {table}")
        while chunk := cursor.fetchmany(10_000):
            for pk, *where, path, n in chunk:
                where = tuple(where)
                if where in counted:
                    stored[where] = (pk, (path, n))
                else:
                    gone.append(pk)
        cursor.executemany(f"UPDATE {table} SET unit_path = %s, n = %s WHERE id = %s", [
            (*now, stored[where][0]) for where, now in counted.items()
            if where in stored and stored[where][1] != now])
    bulk.delete(Tally, gone)
    bulk.insert(Tally, ["unit_id", "unit_path", "key", "stage", "locale", "status", "n"],
                [(*where[:1], path, *where[1:], n) for where, (path, n) in counted.items()
                 if where not in stored])


def apply(old: list[Entry], new: list[Entry]) -> None:
    """Add the difference between the old and new results of some units to the tallies
    of every authority above them (and of an authority's own results to itself)."""
    if not old and not new:  # a unit re-evaluated with inputs unchanged
        return
    deadline = deadline_requirements()
    by_anc: dict[str, Counter] = {}
    for sign, entries in ((-1, old), (1, new)):
        for entry in entries:
            path, counts = entry[0], counts_of([entry], deadline)
            for end in range(PATH_WIDTH, len(path) + 1, PATH_WIDTH):
                counter = by_anc.setdefault(path[:end], Counter())
                for key, n in counts.items():
                    counter[key] += sign * n
    inner = _authorities(sorted(by_anc))
    deltas = {(inner[path], *key): n for path, counter in by_anc.items() if path in inner
              for key, n in counter.items() if n}
    if not deltas:
        return
    # Locked in a fixed order: two workers adjusting the same authority take turns.
    rows = fetch(Tally, Q(unit_id__in=sorted({k[0] for k in deltas}),
                          key__in=sorted({k[1] for k in deltas})), locked=True)
    existing = {(t.unit_id, t.key, t.stage, t.locale, t.status): t.pk for t in rows}
    paths = {v: k for k, v in inner.items()}
    _add([(n, existing[where]) for where, n in deltas.items() if where in existing])
    Tally.objects.bulk_create([
        Tally(unit_id=w[0], unit_path=paths[w[0]], key=w[1], stage=w[2], locale=w[3],
              status=w[4], n=n) for w, n in deltas.items() if w not in existing])


def _add(amounts: list[tuple[int, int]]) -> None:
    """Add each (amount, tally id): one prepared UPDATE run for each row, where Django's
    bulk_update builds a CASE over every row (most of a unit's re-evaluation that
    changes a result)."""
    if not amounts:
        return
    quote, meta = connection.ops.quote_name, Tally._meta
    table, n, pk = quote(meta.db_table), quote("n"), quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {n} = {n} + %s WHERE {pk} = %s", amounts)


def read(unit: Unit) -> list[Tally]:
    return list(Tally.objects.filter(unit=unit).exclude(n=0))


def of_children(unit: Unit) -> dict[str, tuple[int, int]]:
    """(met, applicable) per child unit's path: its tallies if it is an authority, its
    own results if it is a leaf (a district's schools: a few thousand rows at most)."""
    out: dict[str, list[int]] = {}
    rows = (Tally.objects.filter(unit__parent=unit).exclude(key__startswith="four:")
            .values_list("unit_path", "status").annotate(total=Sum("n")).order_by())
    for path, status, total in rows:
        pair = out.setdefault(path, [0, 0])
        pair[1] += total
        pair[0] += total if status == Status.MET else 0
    leaves = (Result.objects.filter(unit__parent=unit, unit__children__isnull=True)
              .exclude(status=Status.NOT_APPLICABLE).values_list("unit_path")
              .annotate(total=Count("id"), met=Count("id", filter=Q(status=Status.MET)))
              .order_by())
    for path, total, met in leaves:
        out[path] = [met, total]
    return {p: (m, t) for p, (m, t) in out.items()}

