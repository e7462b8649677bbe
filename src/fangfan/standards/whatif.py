"""The what-if check (`fangfan standards check`): evaluate the packs for a described unit
and facts, without touching any stored record. A stable contract used for acceptance."""
from __future__ import annotations

from typing import Any

from fangfan.core.models import KeyTargetGrade, Locale, Stage
from fangfan.standards import facts as fact_registry
from fangfan.standards.engine import evaluate_unit, requirements_of

ENUMS = {"stage": set(Stage.values), "locale": set(Locale.values)}


class InputError(ValueError):
    """The input names a missing or ill-typed attribute or fact."""


def _typed(name: str, value: Any, kind: type) -> Any:
    if kind is bool:
        if not isinstance(value, bool):
            raise InputError(f"unit.{name} must be true or false, not {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(f"unit.{name} must be a whole number ≥ 0, not {value!r}")
        return value
    if not isinstance(value, str):
        raise InputError(f"unit.{name} must be a string, not {value!r}")
    if name in ENUMS and value not in ENUMS[name]:
        raise InputError(f"unit.{name} must be one of {sorted(ENUMS[name])}, not {value!r}")
    return value


def parse(data: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("unit"), dict):
        raise InputError('input must be an object with a "unit" object (and "facts")')
    unit_in, facts_in = data["unit"], data.get("facts", {})
    if not isinstance(facts_in, dict):
        raise InputError('"facts" must be an object')
    unit = {}
    for name, kind in fact_registry.UNIT_ATTRIBUTES.items():
        if name not in unit_in:
            raise InputError(f"unit.{name} is missing")
        unit[name] = _typed(name, unit_in[name], kind)
    if unit["key_target_grade"] not in KeyTargetGrade.values:
        raise InputError("unit.key_target_grade must be 0, 1, 2 or 3")
    facts = {}
    # A fact may also be given beside the unit's attributes or at the top level, e.g.
    # {"alert_level": 2} (other names there are ignored, as before).
    known = fact_registry.FACTS
    given = {**{k: v for k, v in data.items() if k in known},
             **{k: v for k, v in unit_in.items() if k in known}, **facts_in}
    for name, value in given.items():
        spec = fact_registry.FACTS.get(name)
        if spec is None:
            raise InputError(f"facts.{name} is not a known fact")
        facts[name] = _fact(name, value, spec.kind)
        if spec.values and facts[name] is not None and facts[name] not in spec.values:
            raise InputError(f"facts.{name} must be one of "
                             f"{', '.join(map(str, spec.values))}, not {value!r}")
    for name, spec in fact_registry.FACTS.items():
        if spec.default is not None and facts.get(name) is None:
            facts[name] = spec.default
    return unit, facts


def _fact(name: str, value: Any, kind: str) -> Any:
    if value is None:
        return None
    ok = isinstance(value, bool) if kind == "bool" else (
        isinstance(value, int | float) and not isinstance(value, bool))
    if not ok or (kind == "int" and isinstance(value, float) and not value.is_integer()):
        raise InputError(f"facts.{name} must be {'true/false' if kind == 'bool' else 'a number'}"
                         f", not {value!r}")
    return value


def check(data: Any, packs: list[str] | None = None) -> list[dict[str, Any]]:
    """One object per applicable requirement of the chosen (default: all) packs."""
    unit, facts = parse(data)
    reqs = requirements_of(packs)
    if packs is not None:
        unknown = set(packs) - {r.pack for r in reqs}
        if unknown:
            raise InputError("unknown pack: " + ", ".join(sorted(unknown)))
    out = []
    for req, res in evaluate_unit(reqs, unit, facts):
        if res.status == "not_applicable":
            continue
        item = {"requirement": req.urn, "ref": req.ref, "status": res.status,
                "required": _plain(res.required), "actual": _plain(res.actual)}
        if res.governing:
            item["governing"] = True
        if res.missing:
            item["unknown_facts"] = res.missing
        out.append(item)
    return out


def _plain(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
