"""Facts (SPEC STD-2): named, documented aggregates over a unit's records, computed in
bulk for a whole subtree with one grouped query per family, never one query per unit.

A fact is None ("unknown") when its unit has no records of the family yet, or when the
records it needs are not kept in Fangfan yet (`unavailable` says which); rules that
read an unknown fact evaluate to `unknown`, never to met.

This module is the generic registry: each domain app declares its own families and
facts (`fact`, `family`) in its `facts` module, imported by its AppConfig.ready(), so
that standards imports no domain app. Facts are read only at evaluation time."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import types
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Count, F, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import ValuesIterable, ValuesListIterable
from django.utils import timezone

from fangfan.core.models import Unit
from fangfan.core.prepared import Prepared

# {unit path: {fact: value}}: keyed by path because grouping by it follows the
# (unit_path, …) indexes every record table has, which halves a province's scan.
Values = dict[str, dict[str, float | int | bool | None]]


@dataclass(frozen=True)
class Fact:
    name: str
    family: str
    kind: str  # "int", "float" or "bool"
    doc: str
    unavailable: str = ""
    # The record type (registry slug) whose records it counts, where a gap is fixed;
    # empty: its family's. A slug, so that standards imports no domain app.
    source: str = ""
    # Why it is unknown although the unit keeps the family's records (a sentence,
    # gettext_noop; its records are `source`'s). Empty: unknown only while the unit has
    # none of the family's records (their type is the family's `source`).
    missing: str = ""
    # The only values it takes (e.g. an alert level 0–3), checked by the what-if; empty:
    # any of its kind.
    values: tuple = ()
    # Its value for a unit its family has no row for, in the engine and the what-if
    # (e.g. no alert level: 0); None: unknown.
    default: float | int | bool | None = None

    @property
    def supplier(self) -> str:
        """The registry slug of the records it counts (empty: none kept yet)."""
        fam = FAMILIES.get(self.family)
        return self.source or (fam.source if fam else "")

    @property
    def missing_from(self) -> str:
        """The registry slug of the records whose absence leaves it unknown."""
        fam = FAMILIES.get(self.family)
        return self.supplier if self.missing else (fam.source if fam else "")


FACTS: dict[str, Fact] = {}
Query = Callable[[Q], QuerySet | Iterable[dict]]  # a family's grouped query (or its rows)
Derive = Callable[[dict], dict]  # one row of it into the facts of its unit


@dataclass(frozen=True)
class Family:
    query: Query
    derive: Derive
    clock: bool = False  # reads the current time, so its SQL cannot be kept
    source: str = ""  # registry slug of the records it groups: none of them, all unknown
    # derive(row, unit path): the facts depend on where the unit is (its school terms).
    by_path: bool = False
    # No derive: the query's columns are its facts, so those no rule reads can be left
    # out of its SQL (`needed`).
    columns: bool = False
    # Queries it runs for any number of units: one grouped query, or a few read beside
    # it (a family needing each key location's patrols per day). Never one per unit.
    queries: int = 1
    # A clock family whose query depends on nothing but the time, read through
    # `fact_time()` or `fact_day()` (no database read while it is built, nothing kept
    # for its derive):
    # a single unit's evaluation compiles its SQL once a minute (`compute_unit`).
    minute: bool = False


FAMILIES: dict[str, Family] = {}


def fact(name: str, family: str, kind: str, doc: str, unavailable: str = "",
         source: str = "", missing: str = "", values: tuple = (),
         default: float | int | bool | None = None) -> None:
    FACTS[name] = Fact(name, family, kind, doc, unavailable, source, missing, values,
                       default)


def family(name: str, derive: Derive | None = None, clock: bool = False,
           source: str = "", by_path: bool = False, queries: int = 1, minute: bool = False):
    """Register a family's grouped query (one row per unit, `unit_path` first) over the
    records of the record type `source`; with `by_path`, `derive(row, path)`. Without
    `derive`, its columns are its facts, and only those asked for are computed.
    `queries`: how many queries it runs in all, whatever the number of units (a test
    holds every family to it)."""
    def register(fn: Query) -> Query:
        FAMILIES[name] = Family(fn, derive or _as_is, clock, source, by_path,
                                columns=derive is None, queries=queries,
                                minute=clock and minute)
        return fn

    return register


def _as_is(row: dict) -> dict:
    return row


def defaults() -> dict[str, float | int | bool]:
    """Facts known without records: their value where the family has no row for a unit
    (`alert_level` 0: no alert level)."""
    return {f.name: f.default for f in FACTS.values() if f.default is not None}


# Unit attributes: always known, read from the unit itself.
UNIT_ATTRIBUTES = {
    "kind": str, "stage": str, "locale": str, "boarding": bool, "staff_count": int,
    "student_count": int, "boarder_count": int, "key_target_grade": int,
}


def compute(scope: Q, needed: set[str] | None = None, parallel: bool = False) -> Values:
    """Facts of the units whose records match `scope` (a condition on `unit_path`):
    {unit path: {fact: value}}; a unit or fact absent from the answer is unknown.

    With `parallel`, outside a transaction, the families run side by side, one database
    connection each (the database works while Python waits), which halves a province's
    evaluation on two cores; inside a transaction (a request, a test) they must see its
    writes, and for a few units new connections cost more than they save."""
    return compute_parts([(fam, scope) for fam in families_of(needed)], needed, parallel)


# Threads of a parallel `compute`: two cores here; more threads than cores made each
# query slower by more than they overlapped (docs/benchmarks.md).
THREADS = 2


def compute_parts(parts: list[tuple[str, Q]], needed: set[str] | None,
                  parallel: bool = False) -> Values:
    """`compute` of each (family, scope) in `parts` (in parallel as `compute`)."""
    from fangfan.standards.calendar import terms_read_once

    if not parallel or connection.in_atomic_block or len(parts) < 2:
        with terms_read_once():
            done = [_run(FAMILIES[fam], scope, needed) for fam, scope in parts]
    else:
        with ThreadPoolExecutor(max_workers=min(len(parts), THREADS)) as pool:
            done = list(pool.map(
                lambda part: _in_own_connection(FAMILIES[part[0]], part[1], needed), parts))
    return _merge(done)


# The time the facts are computed at (`fact_time`): the clock, or the minute a single
# unit's evaluation froze it to.
_FROZEN: ContextVar[dt.datetime | None] = ContextVar("fangfan_facts_at", default=None)


# The reads of one `compute_unit`: those made (its plan for the next evaluation in the
# minute) and the rows fetched ahead for it (`_fetch_together`).
_READS: ContextVar[tuple[list, dict] | None] = ContextVar("fangfan_facts_reads",
                                                          default=None)
# The unit whose facts `compute_unit` computes: its clock families' reads go through the
# SQL kept for the minute (`rows`).
_ONE_UNIT: ContextVar[str | None] = ContextVar("fangfan_facts_of", default=None)


def fact_time() -> dt.datetime:
    """The moment facts are computed at: what `minute` families read for the time."""
    return _FROZEN.get() or timezone.now()


def fact_day() -> dt.date:
    return timezone.localdate(fact_time())


def units(scope: Q) -> QuerySet:
    """The units `scope` names (a condition on `unit_path`), their path as `unit_path`:
    the rows of a family counted per unit (`by_path`, or from a few records among many
    with `count_at`)."""
    return Unit.objects.annotate(unit_path=F("path")).filter(scope)


def count_at(records: QuerySet, distinct: str | None = None) -> Coalesce:
    """How many `records` (a queryset on the outer unit's path, `OuterRef("path")`)
    there are, or how many different values of their field `distinct`: 0 for none. One
    lookup of the records' path index per unit."""
    n = Count(distinct, distinct=True) if distinct else Count("*")
    return Coalesce(Subquery(records.order_by().values("unit_path").annotate(
        n=n).values("n")), 0)


def compute_unit(path: str, needed: set[str] | None = None) -> Values:
    """`compute` for the records of one unit, with each family's SQL built once per
    process: building a query of forty filtered aggregates costs Django more than the
    database needs to answer it for one unit (the re-evaluation after each change). The
    clock families' SQL depends on the time: it is built once a minute, with the time
    frozen to the minute's start (a fact of the time, such as a fault past its 24 hours,
    is at most a minute late, and the nightly run and the sweeps use the clock itself).
    A `minute` family's query is built for the minute; any other clock family reads
    through `rows`, which keeps the SQL of each of its reads for the minute."""
    from fangfan.standards.calendar import terms_read_once

    parts = []
    at = timezone.now().replace(second=0, microsecond=0)
    plans, plan = _minute_cache(at), (connection.alias, "plan",
                                      None if needed is None else frozenset(needed))
    read: list[tuple] = []
    tokens = (_FROZEN.set(at), _ONE_UNIT.set(path),
              _READS.set((read, _fetch_together(plans.get(plan, []), path))))
    try:
        with terms_read_once():
            for fam in families_of(needed):
                parts.append(_unit_facts(fam, path, needed, at))
    finally:
        for var, token in zip((_FROZEN, _ONE_UNIT, _READS), tokens, strict=True):
            var.reset(token)
    plans[plan] = read
    return _merge(parts)


def _unit_facts(fam: str, path: str, needed: set[str] | None, at: dt.datetime) -> Values:
    family = FAMILIES[fam]
    if family.clock and not family.minute:
        return _run(family, Q(unit_path=path), needed)
    return _derived(family, _read(_unit_sql(fam, needed, at if family.clock else None),
                                  path))


_SLOT = "\x00unit-path\x00"
_unit_sqls: dict[tuple, Prepared | None] = {}
# The clock families' SQL of the current minute only: (minute, {key: compiled}).
_minute_sqls: tuple[dt.datetime | None, dict] = (None, {})


def _unit_sql(fam: str, needed: set[str] | None,
              at: dt.datetime | None = None) -> Prepared | None:
    """The family's query for one unit, compiled (`_compiled_rows`); with `at` (a
    `minute` family), that of the minute."""
    cache = _unit_sqls if at is None else _minute_cache(at)
    key = (connection.alias, fam, None if needed is None else frozenset(needed))
    if key not in cache:
        cache[key] = _compiled_rows(lambda scope: _query(FAMILIES[fam], scope, needed))
    return cache[key]


def rows(name: str, build: Callable[[Q], QuerySet], scope: Q, *key: Hashable) -> Iterable:
    """The rows of `build(scope)`, a `values()` or `values_list()` queryset of a clock
    family (its grouped query, or one it reads beside it). For one unit at a frozen
    minute (`compute_unit`), by SQL built once a minute per `name` and `key` (what else
    its SQL depends on, e.g. the semester windows of the terms in use), the unit's path
    in the condition's place: building a query of a few filtered aggregates costs Django
    ten times what the database takes to answer it for one unit. Otherwise the queryset
    itself: the nightly run and the sweeps read the clock, not a frozen minute."""
    path, at = _ONE_UNIT.get(), _FROZEN.get()
    if path is None or at is None or one_path(scope) != path:
        return build(scope)
    cache = _minute_cache(at)
    ckey = (connection.alias, "rows", name, key)
    if ckey not in cache:
        cache[ckey] = _compiled_rows(build)
    return _read(cache[ckey], path)


def one_path(scope: Q) -> str | None:
    """The path of a condition that names exactly one unit (`Q(unit_path=path)`)."""
    if scope.negated or len(scope.children) != 1:
        return None
    child = scope.children[0]
    if isinstance(child, tuple) and child[0] == "unit_path" and isinstance(child[1], str):
        return child[1]
    return None


def _minute_cache(at: dt.datetime) -> dict:
    """The SQL kept for the minute `at` (that of an earlier minute is dropped)."""
    global _minute_sqls
    if _minute_sqls[0] != at:
        _minute_sqls = (at, {})
    return _minute_sqls[1]


def _compiled_rows(build: Callable[[Q], QuerySet]) -> Prepared | None:
    """`build`'s queryset for one unit's path, compiled once (`core.prepared`); None for
    a condition that can match nothing."""
    read = Prepared(lambda path: build(Q(unit_path=path)), _SLOT)
    try:
        read.compile(connection.alias)
    except EmptyResultSet:
        return None
    if read.iterable not in (ValuesIterable, ValuesListIterable):  # flat, named
        raise TypeError("facts.rows reads values() or values_list() rows")
    return read


def _read(read: Prepared | None, path: str) -> list:
    """The rows of a compiled read for `path`: dicts for values(), tuples for
    values_list(); fetched ahead with the others where `_fetch_together` did."""
    if read is None:
        return []
    found = None
    reads = _READS.get()
    if reads is not None:
        reads[0].append(read)
        found = reads[1].pop(id(read), None)
    using = connection.alias
    rows = (read.rows(path, using=using) if found is None else
            read.convert(found, using=using))
    if read.names is None:
        return rows
    return [dict(zip(read.names, row, strict=True)) for row in rows]


def _fetch_together(plan: list[Prepared], path: str) -> dict[int, list]:
    """The rows of the reads of `plan` (those the unit's last evaluation in this minute
    made, in order) for `path`, fetched in one round trip on PostgreSQL, where each
    statement is one (some thirty a re-evaluation): {id(read): rows}. Elsewhere
    (SQLite answers in process) and for a read not planned, `_read` runs it alone."""
    if connection.vendor != "postgresql" or len(plan) < 2 or \
            connection.settings_dict["OPTIONS"].get("server_side_binding"):
        return {}
    statements = [read.statement(path, using=connection.alias) for read in plan]
    out = {}
    with connection.cursor() as cursor:  # client-side binding: several statements
        cursor.execute(";\n".join(sql for sql, _params in statements),
                       [value for _sql, params in statements for value in params])
        for read in plan:
            out[id(read)] = cursor.fetchall()
            cursor.nextset()
    return out


def families_of(needed: set[str] | None) -> list[str]:
    families = {FACTS[n].family for n in needed} if needed is not None else set(FAMILIES)
    return sorted(families & set(FAMILIES))


def _query(fam: Family, scope: Q, needed: set[str] | None) -> QuerySet:
    """The family's query, without the columns of the facts not `needed` where its
    columns are its facts: a fact no rule reads costs its aggregate on every row of the
    family's records (the faults' checks of alarm tests and maintenance, 0.8 s of CPU
    a night for a province's assets)."""
    qs = fam.query(scope)
    if fam.columns and needed is not None:
        names = set(qs.query.annotation_select)
        if not names <= needed:  # unit_path first, a column or the unit's path
            qs.query.set_annotation_mask(names & (needed | {"unit_path"}))
    return qs


def _run(fam: Family, scope: Q, needed: set[str] | None = None) -> Values:
    return _derived(fam, _query(fam, scope, needed))


def _derived(fam: Family, rows) -> Values:
    out = {}
    for row in rows:
        path = row.pop("unit_path")
        values = fam.derive(row, path) if fam.by_path else fam.derive(row)
        if any(v is not None for v in values.values()):  # else as unknown as absent
            out[path] = values
    return out


def _merge(parts: list[Values]) -> Values:
    out: Values = {}
    for part in parts:
        for path, values in part.items():
            out.setdefault(path, {}).update(values)
    return out


def _in_own_connection(fam: Family, scope: Q, needed: set[str] | None) -> Values:
    from fangfan.standards.calendar import terms_read_once

    try:
        with terms_read_once():  # per thread: the terms once, not once per unit
            return _run(fam, scope, needed)
    finally:
        connections.close_all()  # this worker thread's own connections


# --- facts kept between evaluations ---------------------------------------------------
# A family that reads no clock gives a unit the same facts until one of its records
# changes: the nightly run reuses those an evaluation kept (`engine`) instead of reading
# a province's millions of people, assets and locations again every night.

def split_kept(needed: set[str]) -> tuple[set[str], set[str]]:
    """`needed` as (the facts of families that read the clock, those of families that
    do not, which an evaluation can keep)."""
    kept = {n for n in needed if is_kept(n)}
    return needed - kept, kept


def is_kept(name: str) -> bool:
    """Is `name` a fact of a family that reads no clock (one an evaluation keeps)?"""
    fact = FACTS.get(name)
    family = FAMILIES.get(fact.family) if fact else None
    return family is not None and not family.clock


def kept_signature(needed: set[str]) -> str:
    """What kept facts were computed by: the SQL of each family that reads no clock
    (for one unit, as `needed` trims it) and its derive step's code. Kept facts of
    another signature (a new release changed a query, other packs read other facts)
    are read again from the records. Built once per process and set of facts."""
    key = (connection.vendor, frozenset(needed))
    if key not in _signatures:
        _signatures[key] = _kept_signature(needed)
    return _signatures[key]


_signatures: dict[tuple, str] = {}


def _kept_signature(needed: set[str]) -> str:
    return hashlib.blake2b(kept_signature_text(needed).encode(), digest_size=16).hexdigest()


def kept_signature_text(needed: set[str]) -> str:
    """What `kept_signature` hashes: the same in every process (no address, no order
    of a set), or the nightly run would read every record every night."""
    parts = []
    for name in families_of(split_kept(needed)[1]):
        fam = FAMILIES[name]
        qs = _query(fam, Q(unit_path=_SLOT), needed)
        code = getattr(fam.derive, "__code__", None)
        parts.append((name, str(qs.query) if isinstance(qs, QuerySet) else "",
                      _stable(code) if code else fam.derive.__qualname__))
    return repr(parts)


def _stable(value: object) -> str:
    """A derive step's code and constants as text that does not vary between processes
    (a nested function's repr names its address, a set's its hash order)."""
    if isinstance(value, types.CodeType):
        return f"{value.co_code.hex()}({','.join(_stable(c) for c in value.co_consts)})"
    if isinstance(value, tuple | list):
        return f"({','.join(_stable(v) for v in value)})"
    if isinstance(value, frozenset | set):
        return f"{{{','.join(sorted(_stable(v) for v in value))}}}"
    return repr(value)


# Paths per query when the facts of some units of a subtree are read (SQLite and
# PostgreSQL both take this many parameters in one statement).
PATHS_PER_QUERY = 2000


def parts_of(paths: list[str], needed: set[str]) -> list[tuple[str, Q]]:
    """The `compute_parts` of exactly the units at `paths` (their records by path, so
    each family's query follows the path index to those units only)."""
    return [(fam, Q(unit_path__in=paths[i:i + PATHS_PER_QUERY]))
            for fam in families_of(needed) for i in range(0, len(paths), PATHS_PER_QUERY)]


def unknown_reason(name: str) -> str:
    """Why a fact is unknown, as a sentence in the reader's language that names the
    missing records, never the fact (pages add the link: `standards.reasons`)."""
    from django.utils.translation import gettext as _

    from fangfan.core import registry

    f = FACTS.get(name)
    if f is None:  # a fact a newer pack dropped, still named by an old result
        return _("Some records it needs are missing.")
    if f.unavailable:
        return _("Fangfan does not keep %(records)s yet.") % {"records": _(f.unavailable)}
    if f.missing:
        return _(f.missing)
    return _("No %(records)s are recorded for this unit yet.") % {
        "records": registry.get(f.missing_from).verbose_name_plural}


# A rule id in brackets, ASCII or full-width (a translation writes （R-DRILL）).
# "(R-KIT)" goes whole; "(R-KIT: the gate duty room …)" keeps its words.
_RULE_IDS = re.compile(r"\s*[(（](?:R|RES)-[A-Za-z0-9-]+[)）]"
                       r"|(?<=[(（])(?:R|RES)-[A-Za-z0-9-]+[:：]\s*")


def describe(name: str) -> str:
    """A fact as users read it: its meaning in their language, without rule ids."""
    from django.utils.translation import gettext as _

    return _RULE_IDS.sub("", _(FACTS[name].doc))


def record_slug(name: str) -> str:
    """The registry slug of the records a fact counts ('' for none kept yet, or an
    unknown name): where its gap is fixed."""
    f = FACTS.get(name)
    return f.supplier if f else ""


def markdown_table() -> str:
    """The fact table of docs/standards.md (kept equal by a test): the facts in the order
    the apps declare them, then those whose records Fangfan does not keep yet."""
    lines = ["| name | family | records | type | meaning |", "|---|---|---|---|---|"]
    for f in sorted(FACTS.values(), key=lambda f: bool(f.unavailable)):
        later = (f" *Unknown until Fangfan keeps {f.unavailable}.*" if f.unavailable else "")
        records = f"`{f.supplier}`" if f.supplier else "—"
        lines.append(f"| `{f.name}` | {f.family} | {records} | {f.kind} | {f.doc}{later} |")
    return "\n".join(lines) + "\n"
