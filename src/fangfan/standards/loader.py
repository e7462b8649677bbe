"""Loading standard packs (SPEC STD-1): validate the whole set first — schema, every
expression compiles, every fact exists, no URN twice — and report every problem with
its file, requirement and field. Only a set without problems is installed, in one
transaction, upserting by URN (CISO Assistant's library pattern)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.db import transaction

from fangfan.standards.models import Category, Pack, Requirement
from fangfan.standards.rules import COMPARE, compile_expression

SHIPPED = Path(__file__).resolve().parent / "packs"
TEXT = {"type": "object", "required": ["zh-hans", "en"],
        "properties": {"zh-hans": {"type": "string", "minLength": 1},
                       "en": {"type": "string", "minLength": 1}},
        "additionalProperties": False}
EXPRESSIONS = ("applies", "required", "actual", "check")
SCHEMA = {
    "type": "object",
    "required": ["urn", "version", "name", "document", "requirements"],
    "additionalProperties": False,
    "properties": {
        "urn": {"type": "string", "pattern": "^urn:[a-z0-9:._-]+$"},
        "version": {"type": "integer", "minimum": 1},
        "name": TEXT,
        "document": TEXT,
        "requirements": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["id", "category", "clause", "title", "text", "remedy"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z0-9._-]+$"},
                "ref": {"type": ["string", "null"]},
                "category": {"enum": list(Category.values)},
                "document": TEXT,
                "clause": {"type": "string", "minLength": 1},
                "title": TEXT,  # the short name users see (专职保安员配备)
                "text": TEXT,
                "remedy": TEXT,
                "confidence": {"enum": ["H", "M", "L"]},
                "period": {"enum": ["week", "month", "quarter", "semester", "year"]},
                # Whose work it is when not the unit's own: "supervisor" (R-SUPV: the
                # authority inspects), so the unit's own pages do not ask it of the unit.
                "duty_of": {"enum": ["unit", "supervisor"]},
                "quantity": {"type": "string"},
                "compare": {"enum": list(COMPARE)},
                **{e: {"type": "string", "minLength": 1} for e in EXPRESSIONS},
            },
            "anyOf": [{"required": ["check"]}, {"required": ["required", "actual"]}],
        }},
    },
}


@dataclass
class PackProblem:
    file: str
    requirement: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ":".join(p for p in (self.file, self.requirement, self.field) if p)
        return f"{where}: {self.message}"


class PacksRefused(Exception):
    def __init__(self, problems: list[PackProblem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class PackSource:
    file: str
    data: dict[str, Any]
    checksum: str


def read(paths: list[Path]) -> list[PackSource]:
    """Parse and validate pack files; raise PacksRefused listing every problem."""
    sources, problems = [], []
    for path in paths:
        raw = path.read_bytes()
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            problems.append(PackProblem(path.name, "", "", f"YAML syntax error: {exc}"))
            continue
        problems += _validate(path.name, data)
        sources.append(PackSource(path.name, data, hashlib.sha256(raw).hexdigest()))
    problems += _duplicates(sources)
    problems += _same_titles(sources)
    if problems:
        raise PacksRefused(problems)
    return sources


def _validate(file: str, data: Any) -> list[PackProblem]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    problems = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        path = list(err.path)
        req = ""
        if len(path) >= 2 and path[0] == "requirements":
            req = _req_id(data, path[1])
            path = path[2:]
        problems.append(PackProblem(file, req, ".".join(map(str, path)), err.message))
    if problems:
        return problems
    for item in data["requirements"]:
        for name in EXPRESSIONS:
            if name in item:
                try:
                    compile_expression(item[name])
                except (ValueError, RuntimeError) as exc:
                    problems.append(PackProblem(file, item["id"], name, str(exc)))
    return problems


def _req_id(data: Any, index: Any) -> str:
    try:
        return str(data["requirements"][index].get("id", f"#{index + 1}"))
    except (KeyError, IndexError, TypeError, AttributeError):
        return f"#{index}"


def _duplicates(sources: list[PackSource]) -> list[PackProblem]:
    seen: dict[str, str] = {}
    problems = []
    for src in sources:
        if not isinstance(src.data, dict) or "urn" not in src.data:
            continue
        urns = [(src.data["urn"], "")] + [
            (requirement_urn(src.data["urn"], r.get("id", "")), r.get("id", ""))
            for r in src.data.get("requirements") or [] if isinstance(r, dict)]
        for urn, rid in urns:
            if urn in seen:
                problems.append(PackProblem(src.file, rid, "id" if rid else "urn",
                                            f"duplicate URN {urn} (also in {seen[urn]})"))
            seen[urn] = src.file
    return problems


def _same_titles(sources: list[PackSource]) -> list[PackProblem]:
    """Users (and exports) tell requirements apart by their short title: no two alike."""
    seen: dict[tuple[str, str], str] = {}
    problems = []
    for src in sources:
        if not isinstance(src.data, dict):
            continue
        for r in src.data.get("requirements") or []:
            titles = r.get("title") if isinstance(r, dict) else None
            for lang, title in (titles or {}).items() if isinstance(titles, dict) else []:
                if (lang, title) in seen:
                    problems.append(PackProblem(src.file, r.get("id", ""), f"title.{lang}",
                                                f"the same short title as {seen[lang, title]}"))
                seen[lang, title] = f"{src.file}:{r.get('id', '')}"
    return problems


def requirement_urn(pack_urn: str, rid: str) -> str:
    return f"{pack_urn}:{rid}"


def shipped_paths() -> list[Path]:
    return sorted(SHIPPED.glob("*.yaml"))


@transaction.atomic
def install(sources: list[PackSource]) -> list[Pack]:
    """Upsert validated packs and their requirements by URN; drop requirements a new
    version no longer has."""
    packs, dropped = [], 0
    for src in sources:
        d = src.data
        pack, _ = Pack.objects.update_or_create(urn=d["urn"], defaults={
            "version": d["version"], "name": d["name"], "document": d["document"],
            "checksum": src.checksum})
        keep = []
        for order, item in enumerate(d["requirements"]):
            urn = requirement_urn(d["urn"], item["id"])
            keep.append(urn)
            spec = {k: item[k] for k in (*EXPRESSIONS, "quantity", "compare", "period",
                                               "duty_of")
                    if k in item}
            Requirement.objects.update_or_create(urn=urn, defaults={
                "pack": pack, "ref": item.get("ref") or "", "order": order,
                "category": item["category"],
                "citation": {"document": item.get("document", d["document"]),
                             "clause": item["clause"]},
                "title": item["title"], "text": item["text"], "remedy": item["remedy"],
                "spec": spec,
                "confidence": item.get("confidence", "H")})
        dropped += pack.requirements.exclude(urn__in=keep).delete()[0]
        packs.append(pack)
    if dropped:  # their results went with them, uncounted: recount the authorities
        from fangfan.standards import tallies

        tallies.rebuild()
    return packs


def load(paths: list[Path] | None = None) -> list[Pack]:
    """Validate then install; the shipped packs when no paths are given."""
    return install(read(paths or shipped_paths()))
