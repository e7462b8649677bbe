"""Compiled requirements and their evaluation in CEL (SPEC STD-3, STD-1a).

Rules are CEL expressions (the Rust-backed `common-expression-language` package: safe,
not Turing-complete, ~µs per evaluation) over the unit's attributes and facts, named
directly (`staff_count`, `guards_full_time`)."""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any

import cel

from fangfan.standards.facts import FACTS, UNIT_ATTRIBUTES

COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
           "==": operator.eq}
STRICTER = {">=": max, ">": max, "<=": min, "<": min}


@dataclass
class Compiled:
    """A requirement ready to evaluate; built once per pack load."""

    urn: str
    ref: str | None
    pack: str
    pack_version: int
    quantity: str | None
    compare: str
    applies: Any = None
    required: Any = None
    actual: Any = None
    check: Any = None
    pk: int | None = None
    checksum: str = ""  # of the pack, so a reloaded pack re-evaluates every unit
    uses: set[str] = field(default_factory=set)  # facts read
    inputs: tuple[str, ...] = ()  # every variable read: facts and unit attributes
    # facts_of each program, by its id: asked for every evaluation that misses the cache
    _facts: dict[int, frozenset[str]] = field(default_factory=dict, repr=False,
                                              compare=False)

    def facts_of(self, program) -> frozenset[str]:
        if program is None:
            return frozenset()
        found = self._facts.get(id(program))
        if found is None:
            found = self._facts[id(program)] = frozenset(program.variables()) & FACTS.keys()
        return found


@dataclass
class Outcome:
    status: str
    required: float | None = None
    actual: float | None = None
    missing: list[str] = field(default_factory=list)  # unknown facts that were needed
    facts: dict[str, Any] = field(default_factory=dict)
    governing: bool = False


def compile_expression(source: str) -> Any:
    """Compile or raise ValueError naming the problem; unknown names are refused too."""
    program = cel.compile(source)
    unknown = set(program.variables()) - set(FACTS) - set(UNIT_ATTRIBUTES)
    if unknown:
        raise ValueError("unknown fact or attribute: " + ", ".join(sorted(unknown)))
    return program


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    return float(value)


def evaluate(req: Compiled, unit: dict[str, Any], facts: dict[str, Any]) -> Outcome:
    """Status of one requirement for one unit. Unknown facts make the result unknown."""
    env = {**unit, **{k: v for k, v in facts.items() if v is not None}}
    used = {name: facts.get(name) for name in sorted(req.uses)}

    def missing(program) -> list[str]:
        return sorted(n for n in req.facts_of(program) if facts.get(n) is None)

    if req.applies is not None:
        if gaps := missing(req.applies):
            return Outcome("unknown", missing=gaps, facts=used)
        if not req.applies.execute(env):
            return Outcome("not_applicable", facts=used)
    required = None
    if req.required is not None and not missing(req.required):
        required = _number(req.required.execute(env))
    gaps = missing(req.actual) + missing(req.check)
    if gaps:
        return Outcome("unknown", required=required, missing=sorted(set(gaps)), facts=used)
    actual = _number(req.actual.execute(env)) if req.actual is not None else None
    if req.check is not None:
        met = bool(req.check.execute(env))
    else:
        met = COMPARE[req.compare](actual, required)
    return Outcome("met" if met else "unmet", required=required, actual=actual, facts=used)


def governing(reqs: list[Compiled], statuses: list[str],
              required: list[float | None]) -> set[int]:
    """STD-1a: where several requirements fix the same quantity, the strictest governs.
    Returns the indices of the governing ones (the lists run in parallel)."""
    groups: dict[str, list[int]] = {}
    for i, req in enumerate(reqs):
        if req.quantity and statuses[i] != "not_applicable" and required[i] is not None:
            groups.setdefault(req.quantity, []).append(i)
    chosen = set()
    for members in groups.values():
        if len(members) > 1:
            strictest = STRICTER[reqs[members[0]].compare](required[i] for i in members)
            chosen.add(next(i for i in members if required[i] == strictest))
    return chosen


def mark_governing(pairs: list[tuple[Compiled, Outcome]]) -> None:
    """`governing` over evaluated outcomes, marking them."""
    outs = [out for _, out in pairs]
    for i in governing([req for req, _ in pairs], [o.status for o in outs],
                       [o.required for o in outs]):
        outs[i].governing = True
