"""Evaluation of the active packs for units (SPEC STD-3): bulk facts per subtree, CEL
rules per unit × requirement with a cache of identical inputs, stricter-wins marking,
and storage of the results."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fangfan.core.models import Unit
from fangfan.core.scoping import subtree_q
from fangfan.standards import facts as fact_registry
from fangfan.standards.models import Pack, PackActivation, Requirement, Result
from fangfan.standards.rules import Compiled, Outcome, compile_expression, evaluate, mark_governing

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
                         pack_version=req.pack.version, quantity=spec.get("quantity"),
                         compare=spec.get("compare", ">="), pk=req.pk)
            for name in ("applies", "required", "actual", "check"):
                if name in spec:
                    setattr(c, name, compile_expression(spec[name]))
            c.uses = set().union(*(c.facts_of(getattr(c, n)) for n in
                                   ("applies", "required", "actual", "check")))
            _compiled[key] = c
        out.append(_compiled[key])
    return out


def requirements_of(pack_urns: Iterable[str] | None = None) -> list[Compiled]:
    qs = Requirement.objects.select_related("pack").order_by("pack__urn", "order")
    if pack_urns is not None:
        qs = qs.filter(pack__urn__in=list(pack_urns))
    return compiled(qs)


def evaluate_unit(reqs: list[Compiled], unit: dict[str, Any],
                  facts: dict[str, Any], cache: dict | None = None
                  ) -> list[tuple[Compiled, Outcome]]:
    """Every requirement for one unit; identical inputs are evaluated once per cache."""
    pairs = []
    for req in reqs:
        if cache is None:
            out = evaluate(req, unit, facts)
        else:
            key = (req.urn, tuple(unit[a] for a in ATTRS),
                   tuple(facts.get(n) for n in sorted(req.uses)))
            hit = cache.get(key)
            if hit is None:
                hit = cache[key] = evaluate(req, unit, facts)
            out = Outcome(hit.status, hit.required, hit.actual, hit.missing, hit.facts)
        pairs.append((req, out))
    mark_governing(pairs)
    return pairs


def active_packs(paths: Iterable[str]) -> dict[str, set[str]]:
    """Pack URNs active for each path: activations on it or any ancestor; with none in the
    chain, every installed pack (the product default)."""
    activations = list(PackActivation.objects.values_list("unit_path", "pack__urn"))
    everything = set(Pack.objects.values_list("urn", flat=True))
    out = {}
    for path in paths:
        chosen = {urn for p, urn in activations if path.startswith(p)}
        out[path] = chosen or everything
    return out


def evaluate_subtree(roots: list[str]) -> int:
    """Recompute and store the results of every unit under `roots`. Returns rows written."""
    return _evaluate(subtree_q("path", roots), subtree_q("unit_path", roots))


def evaluate_units(paths: list[str]) -> int:
    """Recompute the results of exactly these units (after their records changed)."""
    return _evaluate(Q(path__in=paths), Q(unit_path__in=paths))


def _evaluate(units_q: Q, records_q: Q) -> int:
    units = list(Unit.objects.filter(units_q).values("id", "path", *ATTRS))
    reqs = requirements_of()
    by_pack: dict[str, list[Compiled]] = {}
    for r in reqs:
        by_pack.setdefault(r.pack, []).append(r)
    values = fact_registry.compute(records_q)
    packs = active_packs(u["path"] for u in units)
    now, cache, rows = timezone.now(), {}, []
    for u in units:
        mine = [r for urn in sorted(packs[u["path"]]) for r in by_pack.get(urn, [])]
        attrs = {a: u[a] for a in ATTRS}
        for req, out in evaluate_unit(mine, attrs, values.get(u["id"], {}), cache):
            rows.append(Result(unit_id=u["id"], unit_path=u["path"], requirement_id=req.pk,
                               status=out.status, required=out.required, actual=out.actual,
                               governing=out.governing, reason=",".join(out.missing)[:300],
                               facts=out.facts, pack_version=req.pack_version,
                               computed_at=now))
    with transaction.atomic():
        Result.objects.filter(records_q).delete()
        Result.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
