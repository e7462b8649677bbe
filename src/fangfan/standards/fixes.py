"""Where a gap is fixed (issue 8: "去整改"): the form or list of the records that supply
the requirement's figures, else the unit's compliance page at the requirement, which
says how to fix it. Requirements name facts, facts name the record type they count."""
from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.standards import facts
from fangfan.standards.models import Result
from fangfan.standards.reasons import records_link


def record_type_of(result: Result) -> registry.RecordType | None:
    """The record type behind the requirement's actual figure (or its first fact)."""
    spec = result.requirement.spec
    names = [spec.get("actual", ""), *sorted(result.facts or {})]
    for name in names:
        slug = facts.record_slug(name.strip()) if name else ""
        if slug:
            try:
                return registry.get(slug)
            except KeyError:
                continue
    return None


def url_for(user, result: Result) -> str:
    """Add a record where too few are recorded, else open the unit's records of that
    type, else the requirement on the unit's compliance page (which says how to fix)."""
    rt = record_type_of(result)
    if rt is not None and permissions.allowed(user, "view", rt, result.unit_path):
        url, _action = records_link(user, rt, result.unit, add=_too_few(result))
        if url:
            return url
    page = reverse("compliance-unit", args=[result.unit.code])
    return f"{page}?own#req-{result.requirement_id}"


def _too_few(result: Result) -> bool:
    """A "≥" requirement falls short by count: adding records is the fix."""
    spec = result.requirement.spec
    return spec.get("compare") == ">=" and result.required is not None \
        and result.actual is not None and result.actual < result.required


def shortfall(result: Result) -> str:
    """Required against actual, when the requirement has figures."""
    if result.required is None or result.actual is None:
        return ""
    return _("required %(required)s, actual %(actual)s") % {
        "required": floatformat(result.required, "-2"),
        "actual": floatformat(result.actual, "-2")}
