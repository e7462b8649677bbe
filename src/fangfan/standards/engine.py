"""Evaluation of the active packs for units (SPEC STD-3): bulk facts per subtree, CEL
rules per unit × requirement with a cache of identical inputs, stricter-wins marking,
and storage of the results."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from fangfan.core import bulk
from fangfan.core.models import Unit
from fangfan.core.prepared import Prepared
from fangfan.core.scoping import subtree_q
from fangfan.standards import facts as fact_registry
from fangfan.standards import tallies
from fangfan.standards.models import Evaluation, Pack, PackActivation, Requirement, Result
from fangfan.standards.rules import (
    Compiled,
    Outcome,
    compile_expression,
    evaluate,
    governing,
    mark_governing,
)
from fangfan.standards.signals import Transition, results_changed

ATTRS = list(fact_registry.UNIT_ATTRIBUTES)
_compiled: dict[tuple[int, str, str], Compiled] = {}


def compiled(requirements: Iterable[Requirement]) -> list[Compiled]:
    """Compile each requirement once per pack checksum (process-wide cache)."""
    out = []
    for req in requirements:
        key = (req.pk, req.urn, req.pack.checksum)
        if key not in _compiled:
            spec = req.spec
            c = Compiled(urn=req.urn, ref=req.ref or None, pack=req.pack.urn,
                         checksum=req.pack.checksum,
                         pack_version=req.pack.version, quantity=spec.get("quantity"),
                         compare=spec.get("compare", ">="), pk=req.pk)
            for name in ("applies", "required", "actual", "check"):
                if name in spec:
                    setattr(c, name, compile_expression(spec[name]))
            c.uses = set().union(*(c.facts_of(getattr(c, n)) for n in
                                   ("applies", "required", "actual", "check")))
            c.inputs = tuple(sorted(set().union(*(
                set(p.variables()) for p in (c.applies, c.required, c.actual, c.check)
                if p is not None))))
            _compiled[key] = c
        out.append(_compiled[key])
    return out


def requirements_of(pack_urns: Iterable[str] | None = None) -> list[Compiled]:
    """The compiled requirements of the packs (all installed ones by default), in order.
    Only their keys are read each time: a requirement already compiled is not loaded
    again with its specification (loading and decoding them all was about 6 % of a
    single unit's re-evaluation in its profile)."""
    qs = Requirement.objects.order_by("pack__urn", "order")
    if pack_urns is not None:
        qs = qs.filter(pack__urn__in=list(pack_urns))
        keys = [tuple(k) for k in qs.values_list("pk", "urn", "pack__checksum")]
    else:
        keys = _REQUIREMENT_KEYS.rows(using=connection.alias)
    if all(k in _compiled for k in keys):
        return [_compiled[k] for k in keys]
    return compiled(qs.select_related("pack"))  # a pack installed or changed


# Read before each evaluation (a single unit's after every change): compiled once.
_REQUIREMENT_KEYS = Prepared(lambda: Requirement.objects.order_by("pack__urn", "order")
                             .values_list("pk", "urn", "pack__checksum"))
_ACTIVATIONS = Prepared(lambda: PackActivation.objects.values_list("unit_path", "pack__urn"))
_PACKS = Prepared(lambda: Pack.objects.values_list("urn"))
_UNIT = Prepared(lambda path: Unit.objects.filter(path=path).values_list("id", "path", *ATTRS),
                 "\x00unit-path\x00")
_DIGEST = Prepared(lambda path: Evaluation.objects.filter(unit__path=path).values_list(
    "unit_id", "digest"), "\x00unit-path\x00")
# What `_counted` reads of a unit's evaluation.
_EVALUATED = ("stage", "locale", "results_digest", "digest")
# A unit's stored results (`_stored`), for one unit: as the tallies counted them, and
# the rest of each row, to write only the results that changed.
# A stored result's columns in `Stored.rows`, after its unit, path and requirement.
_ROW = ("id", "status", "required", "actual", "reason", "facts", "pack_version", "governing")
_STORED_COLUMNS = ("unit_id", "unit_path", "requirement_id", *_ROW)
_COUNTED = Prepared(lambda unit: Evaluation.objects.filter(unit_id=unit).values_list(
    "unit_id", *_EVALUATED), -7_000_000_601)
_STORED = Prepared(lambda unit: Result.objects.filter(unit_id=unit).values_list(
    *_STORED_COLUMNS), -7_000_000_602)


def evaluate_unit(reqs: list[Compiled], unit: dict[str, Any],
                  facts: dict[str, Any]) -> list[tuple[Compiled, Outcome]]:
    """Every requirement for one unit, with the governing one of each quantity marked
    (the what-if check and tests; bulk evaluation uses `_evaluate`)."""
    pairs = [(req, evaluate(req, unit, facts)) for req in reqs]
    mark_governing(pairs)
    return pairs


def current_outcomes(unit: Unit) -> list[tuple[Compiled, Outcome]]:
    """The unit's outcomes computed now from its records, not stored (documents show what
    holds at the moment they are written, not the last stored result)."""
    urns = active_packs([unit.path])[unit.path]
    attrs = {a: getattr(unit, a) for a in ATTRS}
    values = {**fact_registry.defaults(),
              **fact_registry.compute_unit(unit.path).get(unit.path, {})}
    return evaluate_unit(requirements_of(urns), attrs, values)


def active_packs(paths: Iterable[str]) -> dict[str, set[str]]:
    """Pack URNs active for each path: activations on it or any ancestor; with none in the
    chain, every installed pack (the product default)."""
    activations = _ACTIVATIONS.rows(using=connection.alias)
    everything = {urn for (urn,) in _PACKS.rows(using=connection.alias)}
    out = {}
    for path in paths:
        chosen = {urn for p, urn in activations if path.startswith(p)}
        out[path] = chosen or everything
    return out


def evaluate_subtree(roots: list[str], incremental: bool = False,
                     reread: Iterable[str] = ()) -> int:
    """Recompute the results of every unit under `roots`. Returns results written.

    `incremental` (the nightly run): the facts of the families that read no clock are
    those each unit's last evaluation kept (`Evaluation.kept`), except for the units
    at `reread` (a write marked them since), those without kept facts (evaluated alone
    since: a write changed them) and a rolling share, so that every unit's records
    are read again at least every `settings.FANGFAN_FACTS_REREAD_DAYS` days whatever
    wrote them (`_reread_share`). Otherwise every fact is read from the records."""
    return _evaluate(subtree_q("path", roots), subtree_q("unit_path", roots), parallel=True,
                     incremental=incremental, reread=frozenset(reread))


def evaluate_units(paths: list[str]) -> int:
    """Recompute the results of exactly these units (after their records changed)."""
    return _evaluate(Q(path__in=paths), Q(unit_path__in=paths),
                     one=next(iter(paths)) if len(paths) == 1 else None)


# A stored result without its unit: (requirement_id, status, required, actual, reason,
# facts, pack_version, governing).
Row = tuple
# A unit whose inputs changed: (path, digest of its inputs, results, their digest).
Changed = tuple[str, str, list[Row], str]


@dataclass
class Keeping:
    """The facts an evaluation keeps on units' `Evaluation` (`Evaluation.kept`)."""

    signature: str
    text: dict[int, str] = field(default_factory=dict)  # of the units rewritten
    # Of units not rewritten whose stored kept facts are missing or differ (a subtree's
    # evaluation that read their records).
    stale: dict[int, str] = field(default_factory=dict)


def _digest(signature: str, attrs: list, kept: str, read: dict[str, Any],
            clock_defaults: dict[str, Any], kept_names: frozenset[str]) -> str:
    """A unit's digest: of its requirements and the facts' defaults (`signature`), its
    attributes, its kept facts as their stored text (a unit whose kept facts were not
    read again tonight is not decoded, nor are its hundred facts written out again) and
    its facts of the clock's families. Equal digests: equal inputs."""
    clock = {**clock_defaults, **{n: v for n, v in read.items() if n not in kept_names}}
    text = f"{signature}\n{attrs!r}\n{kept}\n{sorted(clock.items())!r}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _kept_json(values: dict[str, Any], kept: frozenset[str]) -> str:
    """A unit's facts of the families that read no clock (`kept`: their names), as
    `Evaluation.kept`."""
    return json.dumps({n: v for n, v in values.items() if n in kept},
                      sort_keys=True, separators=(",", ":"))


def _kept_names() -> frozenset[str]:
    """The facts of the families that read no clock."""
    return frozenset(n for n in fact_registry.FACTS if fact_registry.is_kept(n))


def _evaluate(units_q: Q, records_q: Q, parallel: bool = False,
              one: str | None = None, incremental: bool = False,
              reread: frozenset[str] = frozenset()) -> int:
    """Evaluate, then write only the units whose results can differ from what is stored.

    A unit's digest is taken over its inputs (attributes, facts, the requirements and their
    pack checksums): equal inputs give equal results, so an unchanged unit is not even
    evaluated. Units with equal inputs for a requirement share one CEL evaluation (the
    cache key is exactly the variables it reads). Returns the results written. `one`:
    the path of the only unit (its unit and digest read by SQL compiled once)."""
    units = (_UNIT.rows(one, using=connection.alias) if one is not None else
             list(Unit.objects.filter(units_q).values_list("id", "path", *ATTRS)))
    by_pack: dict[str, list[Compiled]] = {}
    for r in requirements_of():
        by_pack.setdefault(r.pack, []).append(r)
    # Only the families some installed requirement reads (the same set for one unit and
    # for a province, so that both give a unit the same digest).
    needed = read_facts(r for reqs in by_pack.values() for r in reqs)
    keeping = Keeping(fact_registry.kept_signature(needed))
    if parallel:
        read = _subtree_facts(units_q, records_q, units, needed, keeping.signature,
                              incremental, reread)
        stored, values, kept, unread = read.digests, read.values, read.kept, read.unread
        keeping.stale = read.stale
    else:
        values = (fact_registry.compute_unit(units[0][1], needed) if len(units) == 1
                  else fact_registry.compute(records_q, needed))
        kept, unread = {}, set()
        stored = dict(_DIGEST.rows(one, using=connection.alias) if one is not None else
                      Evaluation.objects.filter(unit__in=Unit.objects.filter(units_q))
                      .values_list("unit_id", "digest"))
    packs = active_packs(path for _, path, *_ in units)
    cache = _outcomes([r for reqs in by_pack.values() for r in reqs])
    defaults = fact_registry.defaults()  # a fact's value where its family has no row
    kept_names = _kept_names()
    clock_defaults = {n: v for n, v in defaults.items() if n not in kept_names}
    reqs_of: dict[frozenset, tuple[Plan, str]] = {}
    blank = dict.fromkeys(n for reqs in by_pack.values() for r in reqs for n in r.inputs)
    changed: dict[int, Changed] = {}
    for unit_id, path, *attrs in units:
        chosen = frozenset(packs[path])
        if chosen not in reqs_of:
            mine = [r for urn in sorted(chosen) for r in by_pack.get(urn, [])]
            # repr() of the signature and the defaults, once per set of packs
            reqs_of[chosen] = (Plan.of(mine), repr(([(r.pk, r.checksum) for r in mine],
                                                    sorted(defaults.items()))))
        plan, signature = reqs_of[chosen]
        got = values.get(path, {})
        text = kept.get(unit_id) or _kept_json(got, kept_names)
        digest = _digest(signature, attrs, text, got, clock_defaults, kept_names)
        if stored.get(unit_id) != digest:
            env = {**blank, **dict(zip(ATTRS, attrs, strict=True)), **defaults}
            env.update(got)
            if unit_id in unread:  # its kept facts, as stored
                env.update(json.loads(text))
            changed[unit_id] = (path, digest, *_rows(plan, env, cache))
            keeping.text[unit_id] = text
    where = {u[0]: (u[1], u[2 + ATTRS.index("stage")], u[2 + ATTRS.index("locale")])
             for u in units if u[0] in changed}
    return _store(units_q, changed, where, keeping, stored if parallel else None,
                  records_q if parallel else None)


@dataclass
class SubtreeFacts:
    """What a subtree's evaluation reads before it evaluates (`_subtree_facts`)."""

    digests: dict[int, str]  # as stored
    values: fact_registry.Values  # the facts read: of the clock's families for every
    # unit, of the others (kept facts) for the units read again
    kept: dict[int, str]  # every unit's kept facts, as `Evaluation.kept` holds them
    unread: set[int]  # the units whose kept facts were not read again (not in `values`)
    stale: dict[int, str]  # kept facts to store where the stored ones are missing or differ


def _subtree_facts(units_q: Q, records_q: Q, units: list[tuple], needed: set[str],
                   signature: str, incremental: bool, reread: frozenset[str],
                   ) -> SubtreeFacts:
    """The facts of every unit under `units_q`, read or kept (see `evaluate_subtree`)."""
    stored, had = {}, {}
    for unit_id, digest, kept_signature, kept in Evaluation.objects.filter(
            unit__in=Unit.objects.filter(units_q)).values_list(
            "unit_id", "digest", "kept_signature", "kept"):
        stored[unit_id] = digest
        if kept is not None and kept_signature == signature:
            had[unit_id] = kept
    clock, keepable = fact_registry.split_kept(needed)
    share = _reread_share(sorted(path for _, path, *_ in units))
    again = {path for unit_id, path, *_ in units if unit_id not in had or path in reread}
    if not incremental or 2 * len(again | set(share)) > len(units):  # one scan of each
        values = fact_registry.compute(records_q, needed, parallel=True)
        again = {path for _, path, *_ in units}
    else:
        ranges = [(fam, Q(unit_path__gte=share[0], unit_path__lte=share[-1]))
                  for fam in fact_registry.families_of(keepable)] if share else []
        values = fact_registry.compute_parts(
            [(fam, records_q) for fam in fact_registry.families_of(clock)] + ranges
            + fact_registry.parts_of(sorted(again - set(share)), keepable), needed,
            parallel=True)
        again |= set(share)
    out, names = SubtreeFacts(stored, values, {}, set(), {}), _kept_names()
    for unit_id, path, *_ in units:
        if path in again:
            text = out.kept[unit_id] = _kept_json(values.get(path, {}), names)
            if had.get(unit_id) != text:
                out.stale[unit_id] = text
        else:
            out.kept[unit_id] = had[unit_id]
            out.unread.add(unit_id)
    return out


def _reread_share(paths: list[str]) -> list[str]:
    """Tonight's share of the units (`paths`, sorted), whose records are read again kept
    facts or not: one of `FANGFAN_FACTS_REREAD_DAYS` runs of consecutive paths, in turn
    by the date (a run of paths is one range of each family's path index)."""
    days = max(1, int(getattr(settings, "FANGFAN_FACTS_REREAD_DAYS", 7)))
    turn = timezone.localdate().toordinal() % days
    return paths[len(paths) * turn // days:len(paths) * (turn + 1) // days]


def read_facts(reqs: Iterable[Compiled]) -> set[str]:
    """The facts these requirements read: a family none of them reads is not computed."""
    return {n for r in reqs for n in r.inputs if n in fact_registry.FACTS}


@dataclass
class Plan:
    """A set of packs' requirements as `_rows` evaluates them for each unit (1.8 million
    results for a province): each with what reads its inputs' values from a unit's
    environment in one call (the key of its outcome in the cache), and those that fix a
    quantity, the only ones that can govern (STD-1a)."""

    reqs: list[tuple[Compiled, Callable[[dict], Any]]]
    quantified: list[int]

    @classmethod
    def of(cls, reqs: list[Compiled]) -> Plan:
        return cls([(req, itemgetter(*req.inputs) if req.inputs else lambda env: ())
                    for req in reqs], [i for i, req in enumerate(reqs) if req.quantity])


def _rows(plan: Plan, env: dict[str, Any], cache: dict) -> tuple[list[Row], str]:
    """The results of a unit (`env`: its attributes and facts, every input present) and
    their digest. The cache holds each outcome as a row twice, not governing and
    governing, each with its text for the digest."""
    outs = []
    for req, inputs in plan.reqs:
        key = (req.pk, inputs(env))
        hit = cache.get(key)
        if hit is None:
            facts = {n: env.get(n) for n in req.inputs if n not in ATTRS}
            unit = {a: env[a] for a in ATTRS}
            out = evaluate(req, unit, facts)
            row = (req.pk, out.status, out.required, out.actual,
                   ",".join(out.missing)[:300], out.facts, req.pack_version)
            hit = cache[key] = ((*row, False), (*row, True), repr((*row, False)),
                                repr((*row, True)))
        outs.append(hit)
    q = plan.quantified
    chosen = governing([plan.reqs[i][0] for i in q], [outs[i][0][1] for i in q],
                       [outs[i][0][2] for i in q])
    rows, texts = [out[0] for out in outs], [out[2] for out in outs]
    for i in chosen:
        rows[q[i]], texts[q[i]] = outs[q[i]][1], outs[q[i]][3]
    return rows, hashlib.blake2b("\n".join(texts).encode(), digest_size=16).hexdigest()


# The outcomes of requirements by their inputs' values, kept by the process for the
# requirements as they are (their keys and packs' checksums): a unit re-evaluated after
# a change asks mostly what was asked before (each CEL evaluation ~30 µs, thirty-five a
# unit). Dropped when it grows past `OUTCOMES_KEPT` or the requirements change.
_OUTCOMES: dict[tuple, dict] = {}
OUTCOMES_KEPT = 50_000  # a province asks ~45,000 in one run (some 25 MB)


def _outcomes(reqs: list[Compiled]) -> dict[tuple, tuple]:
    key = tuple(sorted((r.pk, r.checksum) for r in reqs))
    cache = _OUTCOMES.get(key)
    if cache is None or len(cache) > OUTCOMES_KEPT:
        _OUTCOMES.clear()
        cache = _OUTCOMES[key] = {}
    return cache


# Above this many units whose results changed the tallies are recounted (by difference)
# instead of adjusted.
REBUILD_TALLIES_AT = 2000


def _store(units_q: Q, changed: dict[int, Changed],
           where: dict[int, tuple[str, str, str]], keeping: Keeping,
           read: dict[int, str] | None = None, within: Q | None = None) -> int:
    """Replace the results of changed units, stamp every evaluated unit, keep the
    authorities' tallies exact, and tell `results_changed` receivers which statuses
    changed. `read`: the digests as they were when the facts were read (a subtree's
    evaluation takes seconds): a unit another evaluation rewrote meanwhile, after a
    write, keeps that newer one. `within`: the results' condition, when so many units
    changed that one scan of the subtree's results beats a lookup per unit. Only the
    results that differ are written: a result that held keeps its row and the time
    since when it has held (`computed_at`); a unit whose results are all as stored and
    counted (by their digest, `Evaluation.results_digest`) has them neither read nor
    written, only its evaluation (its inputs changed: a release, a pack's checksum).
    Returns the results of the units whose results were written."""
    now = timezone.now()
    listening = results_changed.has_listeners()
    with transaction.atomic():
        _lock(list(changed))
        counted = _counted(list(changed))
        if read is not None:
            _drop_overtaken(changed, read, counted)
        ids = list(changed)
        differ = [i for i in ids
                  if (counted.get(i) or ())[:3] != (where[i][1], where[i][2], changed[i][3])]
        adjust = len(differ) <= REBUILD_TALLIES_AT
        stored = _stored(differ, None if adjust else within, counted if adjust else None)
        for chunk in bulk.chunks(ids, 500):
            Evaluation.objects.filter(unit_id__in=chunk).delete()
        Evaluation.objects.filter(unit__in=Unit.objects.filter(units_q)).update(
            computed_at=now)
        moved = _write_results({i: changed[i] for i in differ}, stored.rows, now)
        at = Evaluation._meta.get_field("computed_at").get_db_prep_save(now, connection)
        bulk.insert(Evaluation, _EVALUATION_COLUMNS, [
            (i, changed[i][1], at, where[i][1], where[i][2], *_counts(changed[i][2]),
             keeping.text[i], keeping.signature, changed[i][3]) for i in ids])
        _keep(keeping, set(changed), read or {})
        if adjust:
            tallies.apply(stored.entries, [
                (where[i][0], row[0], row[1], row[5], where[i][1], where[i][2])
                for i in differ for row in changed[i][2]])
        elif differ:
            tallies.rebuild()
        if moved and listening:
            results_changed.send(sender=Result, transitions=moved)
    if not adjust:
        _analyze(Result, Evaluation)
    return sum(len(changed[i][2]) for i in differ)


def _drop_overtaken(changed: dict[int, tuple], read: dict[int, str],
                    counted: dict[int, tuple]) -> None:
    """Leave out of `changed` the units whose stored digest (`counted`, as `_counted`
    reads it under the units' lock) is no longer the one read."""
    for unit_id in list(changed):
        if (counted.get(unit_id) or (None,) * 4)[3] != read.get(unit_id):
            del changed[unit_id]


def _keep(keeping: Keeping, written: set[int], read: dict[int, str]) -> None:
    """Store the kept facts of the units not rewritten whose stored ones differ (the
    first run after a release), unless another evaluation rewrote the unit since its
    digest was `read` (its kept facts are newer)."""
    rows = [(text, keeping.signature, u, read.get(u))
            for u, text in sorted(keeping.stale.items()) if u not in written]
    if not rows:
        return
    table = connection.ops.quote_name(Evaluation._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in bulk.chunks(rows, 2000):
            cursor.executemany(f"UPDATE {table} SET kept = %s, kept_signature = %s "
                               f"WHERE unit_id = %s AND digest = %s", chunk)


def _analyze(*models) -> None:
    """Refresh the planner's statistics after a bulk rewrite: PostgreSQL otherwise plans
    the gap matrix and the home page on the table as it was before (a scan of every
    result instead of the path index) until autovacuum gets round to it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # sample, as PostgreSQL does, not read it all
            cursor.execute("PRAGMA analysis_limit=1000")
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# An evaluation's row as `_store` inserts it (`core.bulk`: Django's bulk_create built a
# model instance for each of a province's units, 2 s).
_EVALUATION_COLUMNS = ("unit_id", "digest", "computed_at", "stage", "locale", "met",
                       "unmet", "unknown", "kept", "kept_signature", "results_digest")


def _counts(rows: list[Row]) -> tuple[int, int, int]:
    """A unit's results met, unmet and unknown, kept on its evaluation for the gap
    matrix."""
    statuses = [row[1] for row in rows]
    return statuses.count("met"), statuses.count("unmet"), statuses.count("unknown")


def _lock(ids: list[int]) -> None:
    """Two evaluations of the same unit take turns (PostgreSQL): the second reads the
    results the first stored, so it neither inserts a result twice nor reports a change
    twice. Units are locked in a fixed order, so overlapping runs cannot deadlock. The
    lock is FOR NO KEY UPDATE: a write of a record of the unit checks its reference to
    the unit at commit (FOR KEY SHARE), which FOR UPDATE would hold up while the
    evaluation waits for the audit chain's head that write holds (a deadlock)."""
    if not connection.features.has_select_for_update:  # SQLite: one writer at a time
        return
    for chunk in bulk.chunks(sorted(ids), 500):
        list(Unit.objects.select_for_update(no_key=True).filter(pk__in=chunk).order_by("pk")
             .values_list("pk", flat=True))


@dataclass
class Stored:
    """The stored results of the units about to be rewritten."""

    entries: list[tallies.Entry] = field(default_factory=list)  # as the tallies counted
    # (unit, req) → (id, status, required, actual, reason, facts, pack_version, governing);
    # facts as stored (JSON text) where read in one scan
    rows: dict[tuple[int, int], tuple] = field(default_factory=dict)


def _counted(ids: list[int]) -> dict[int, tuple[str, str, str, str]]:
    """The units' stage and locale as the tallies counted them, their results' digest
    and their inputs' digest: {unit: (stage, locale, results digest, digest)} of those
    with an evaluation."""
    out = {}
    for chunk in bulk.chunks(ids, 500):
        one = chunk[0] if len(chunk) == 1 else None  # a single unit's: compiled once
        for unit_id, *counted in (
                _COUNTED.rows(one, using=connection.alias) if one is not None else
                Evaluation.objects.filter(unit_id__in=chunk).values_list(
                    "unit_id", *_EVALUATED)):
            out[unit_id] = tuple(counted)
    return out


def _stored(ids: list[int], within: Q | None = None,
            counted: dict[int, tuple] | None = None) -> Stored:
    """The stored results of these units; `within`: read them in one scan of the results
    matching it (most of a subtree), not by unit. `counted` (`_counted`): also as the
    tallies counted them (units with an evaluation; a result without one was never
    counted)."""
    out, wanted = Stored(), set(ids)
    if within is not None:  # a million rows: without Django's conversion of each value
        sql, params = Result.objects.filter(within).order_by().values_list(
            "unit_id", "requirement_id", *_ROW).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(10_000):
                for row in chunk:
                    if row[0] in wanted:
                        out.rows[(row[0], row[1])] = row[2:]
        return out
    for chunk in bulk.chunks(ids, 500):
        one = chunk[0] if len(chunk) == 1 else None  # a single unit's: compiled once
        for row in (_STORED.rows(one, using=connection.alias) if one is not None else
                    Result.objects.filter(unit_id__in=chunk).values_list(*_STORED_COLUMNS)):
            _add(out, row, (counted or {}).get(row[0]))
    return out


def _add(out: Stored, row: tuple, counted: tuple[str, ...] | None) -> None:
    unit_id, path, req, *stored = row  # `_STORED_COLUMNS`
    out.rows[(unit_id, req)] = tuple(stored)
    if counted is not None:
        out.entries.append((path, req, stored[1], stored[5], *counted[:2]))


def _write_results(changed: dict[int, Changed],
                   stored: dict[tuple[int, int], tuple], now) -> list[Transition]:
    """Write the results of the changed units that differ from `stored` (theirs): an
    UPDATE of each that changed, plain INSERTs (core.bulk: bulk_create took 15 s of a
    province's first evaluation) of new ones, and a DELETE of those no longer there.
    A province's cold run, whose results mostly held, writes almost none. Returns the
    results whose status changed (or that appear or go), for `results_changed`."""
    field_of = Result._meta.get_field
    at = field_of("computed_at").get_db_prep_save(now, connection)
    facts_field, facts_db = field_of("facts"), {}

    def db_facts(facts: dict) -> Any:
        """As stored, once per outcome: the rows of equal outcomes share their facts
        (`_rows`' cache), and `changed` holds them all while this runs, so an id is
        not reused."""
        key = id(facts)
        if key not in facts_db:
            facts_db[key] = facts_field.get_db_prep_save(facts, connection)
        return facts_db[key]

    new, moved, transitions = [], [], []
    for unit_id, (path, _, rows, _) in changed.items():
        for row in rows:
            req, status, required, actual, reason, facts, version, gov = row
            old = stored.pop((unit_id, req), None)
            if old is None:
                new.append((unit_id, path, req, status, required, actual, reason,
                            db_facts(facts), version, gov, at, at, at))
            elif old[1:] != row[1:] and not _same_stored(old, row, db_facts(facts)):
                moved.append((status, required, actual, reason, db_facts(facts), version,
                              gov, at, at, old[0]))
            if old is None or old[1] != status:
                transitions.append(Transition(unit_id, path, req, old and old[1], status,
                                              required, actual))
    transitions.extend(Transition(unit_id, changed[unit_id][0], req, old[1], None)
                       for (unit_id, req), old in stored.items())
    bulk.delete(Result, sorted(old[0] for old in stored.values()))
    table = connection.ops.quote_name(Result._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in bulk.chunks(moved, 2000):
            cursor.executemany(
                f"UPDATE {table} SET status = %s, required = %s, actual = %s, reason = %s, "
                f"facts = %s, pack_version = %s, governing = %s, computed_at = %s, "
                f"updated_at = %s WHERE id = %s", chunk)
    bulk.insert(Result, ["unit_id", "unit_path", "requirement_id", "status", "required",
                         "actual", "reason", "facts", "pack_version", "governing",
                         "computed_at", "created_at", "updated_at"], new)
    return transitions


def _same_stored(old: tuple, new: Row, text: Any) -> bool:
    """Does a stored result read as stored (`old`, id first: facts as JSON text, 0/1 for
    booleans) say what `new` says? `text`: the new facts as they would be stored."""
    facts = old[5]
    if old[1:5] + old[6:] != new[1:5] + new[6:]:
        return False
    return facts == text or isinstance(facts, str) and json.loads(facts) == new[5]

