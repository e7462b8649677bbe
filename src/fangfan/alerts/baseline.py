"""The baseline B of R-ALERT: a unit's normal on-duty guard force (docs/alerts.md).

Fallback order, first known wins:

1. **the duty roster** — the guards on duty in a normal shift, once Fangfan keeps duty
   rosters (issue 10). `ROSTER_SOURCES` is the hook: the roster app registers a function
   `(subtree path) -> {unit id: guards}` with `roster_source`; none is registered yet;
2. **R-STAFF** — the full-time guards the unit is required to have (the `required` of
   its stored R-STAFF result; for a unit not evaluated yet, the same rule computed from
   its attributes);
3. **unknown** — the measures then ask for "at least 30 % more" without a number, and
   R-ALERT is unknown for the unit.

Computed in bulk for a subtree: one query per source, never one per unit."""
from __future__ import annotations

from collections.abc import Callable

from django.db.models import Max

from fangfan.alerts.models import BaselineSource
from fangfan.core.scoping import path_upper_bound

RosterSource = Callable[[str], dict[int, int]]
ROSTER_SOURCES: list[RosterSource] = []
STAFFING_REF = "R-STAFF"


def roster_source(fn: RosterSource) -> RosterSource:
    """Register where the roster's normal guard force comes from (issue 10)."""
    ROSTER_SOURCES.append(fn)
    return fn


def baselines(path: str, units: list[tuple[int, dict]]) -> dict[int, tuple[int | None, str]]:
    """{unit id: (B, source)} for `units` ((id, attributes) pairs) of the subtree at
    `path`."""
    roster: dict[int, int] = {}
    for source in ROSTER_SOURCES:
        roster.update(source(path))
    stored = _stored_staffing(path)
    rule = _staffing_rule()
    cache: dict[tuple, int | None] = {}
    out = {}
    for unit_id, attrs in units:
        if unit_id in roster:
            out[unit_id] = (int(roster[unit_id]), BaselineSource.ROSTER)
            continue
        b = stored.get(unit_id)
        if b is None and rule is not None:
            key = tuple(sorted(attrs.items()))
            if key not in cache:
                cache[key] = _required(rule, attrs)
            b = cache[key]
        out[unit_id] = ((int(b), BaselineSource.STAFFING) if b is not None
                        else (None, BaselineSource.UNKNOWN))
    return out


def _stored_staffing(path: str) -> dict[int, float]:
    from fangfan.standards.models import Result

    return dict(Result.objects.filter(
        unit_path__gte=path, unit_path__lt=path_upper_bound(path),
        requirement__ref=STAFFING_REF, required__isnull=False)
        .values("unit_id").annotate(b=Max("required")).values_list("unit_id", "b"))


def _staffing_rule():
    from fangfan.standards.engine import requirements_of

    return next((r for r in requirements_of() if r.ref == STAFFING_REF), None)


def _required(rule, attrs: dict) -> int | None:
    from fangfan.standards.rules import evaluate

    out = evaluate(rule, attrs, {})
    return None if out.required is None or out.status == "not_applicable" \
        else int(out.required)
