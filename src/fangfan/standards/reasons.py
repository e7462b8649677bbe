"""Why a result is unknown, for pages (issue 8): one sentence per kind of missing record,
never a fact name, with a link to add such a record where the reader may (or to their
list where the reader may only look)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.standards.facts import FACTS, Fact, unknown_reason


@dataclass(frozen=True)
class Missing:
    text: str
    url: str = ""
    action: str = ""


def missing_records(names: Iterable[str], user, unit) -> list[Missing]:
    """The sentences for the unknown facts `names` of a unit's result, each said once
    (several facts usually come from the same records)."""
    out: list[Missing] = []
    for name in names:
        text = unknown_reason(name)
        if all(m.text != text for m in out):
            out.append(Missing(text, *_link(FACTS.get(name), user, unit)))
    return out


def _link(f: Fact | None, user, unit) -> tuple[str, str]:
    if f is None or f.unavailable or not f.missing_from:
        return "", ""
    return records_link(user, registry.get(f.missing_from), unit)


def records_link(user, rt: registry.RecordType, unit, add: bool = True) -> tuple[str, str]:
    """Where the reader records the missing or short records of a type in `unit` (its
    add form, when `add` and allowed), else sees them (the unit's list), with the
    button's words; nothing when the reader may do neither."""
    if add and permissions.allowed(user, "add", rt, unit.path):
        return f"{reverse(rt.add_url_name)}?unit={unit.pk}", _("Record them now")
    if permissions.allowed(user, "view", rt, unit.path):
        return f"{reverse(rt.list_url_name)}?within={unit.code}", _("See what is recorded")
    return "", ""
