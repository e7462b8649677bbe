"""The work the standards give a unit each day (home page, issue 8): obligations of the
calendar that are due or overdue, and the requirements it does not meet, each with the
page that resolves it."""
from __future__ import annotations

import re
from collections.abc import Iterator

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.work import GAP, SOURCE_LIMIT, WorkContext, WorkItem, panel, source
from fangfan.standards import facts, fixes, matrix
from fangfan.standards.models import ObligationStatus, Requirement, Status


@source
def obligations_due(ctx: WorkContext) -> Iterator[WorkItem]:
    """Obligations coming due. Where records fulfil one (a self-inspection closes the
    month's), the action adds such a record; else the obligation is marked done."""
    for ob in ctx.due("obligations", "due_on", "requirement", "unit",
                      status__in=[ObligationStatus.DUE, ObligationStatus.OVERDUE,
                                  ObligationStatus.UPCOMING]):
        if not asks(ctx.user, ob.requirement, ob.unit_path):
            continue
        fields = {"due": ob.due_on, "title": ob.requirement.short_title,
                  "detail": _("For %(start)s – %(end)s") % {"start": ob.period_start,
                                                           "end": ob.period_end}}
        rt = _fulfilled_by(ob.requirement)
        url = f"{reverse(rt.add_url_name)}?unit={ob.unit_id}" if rt and \
            permissions.allowed(ctx.user, "add", rt, ob.unit_path) else ""
        if url:
            # The record's own words where it has them ("Record a drill").
            yield WorkItem(url=url, action=str(rt.quick_action or _("Do it now")),
                           unit=ob.unit.name, **fields)
        else:
            yield ctx.item("obligations", ob, _("Record it done"), **fields)


def asks(user, requirement: Requirement, path: str) -> bool:
    """Is the requirement the user's work at the unit `path`? The supervisor's duties
    (R-SUPV: "duty_of: supervisor") are asked of those above the unit, not of it; a
    requirement met by records that need a grant (R-LIAISON: the persons-of-concern
    ledger) only of those who hold it there."""
    rt = _fulfilled_by(requirement)
    if rt is not None and rt.requires_grant and not permissions.allowed(
            user, "view", rt, path):
        return False
    if requirement.spec.get("duty_of") != "supervisor":
        return True
    return permissions.allowed_above(user, "view", registry.get("obligations"), path)


def _fulfilled_by(requirement: Requirement) -> registry.RecordType | None:
    """The record type whose records fulfil a periodic requirement: the one its figure
    counts (facts name it), or for a rule with a check (R-DRILL) its first fact's, if
    it is kept."""
    names = [str(requirement.spec.get("actual", "")).strip(),
             *re.findall(r"[a-z_][a-z0-9_]*", str(requirement.spec.get("check", "")))]
    for name in names:  # a rule with a check: its first fact whose records are kept
        slug = facts.record_slug(name) if name else ""
        if not slug:
            continue
        try:
            return registry.get(slug)
        except KeyError:
            continue
    return None


@source
def unmet_requirements(ctx: WorkContext) -> Iterator[WorkItem]:
    """The unit's gaps, each linked to the form or list that fixes it (去整改)."""
    qs = ctx.scoped("compliance-results")
    if qs is None:
        return
    # The requirements are read apart: joined, SQLite walked every result of each
    # requirement (a whole city's) instead of the unit's few through the path index.
    rows = list(qs.filter(status=Status.UNMET).select_related("unit")
                .order_by("unit_path")[:SOURCE_LIMIT])
    reqs = Requirement.objects.in_bulk({r.requirement_id for r in rows})
    for r in rows:
        r.requirement = reqs[r.requirement_id]
    rows.sort(key=lambda r: (r.unit_path, r.requirement.order))
    for r in rows:
        if not asks(ctx.user, r.requirement, r.unit_path):
            continue
        yield WorkItem(title=r.requirement.short_title, detail=fixes.shortfall(r),
                       unit=r.unit.name, bucket=GAP,
                       url=fixes.url_for(ctx.user, r), action=_("Fix it"))


@panel
def gap_matrix(request, unit) -> str | None:
    """An authority's home shows its subtree's gap matrix (first page, filterable)."""
    if not permissions.allowed(request.user, "view", registry.get("compliance-results"),
                               unit.path):
        return None
    return format_html('<h3 class="mb-2">{}</h3>{}', _("Gaps across the units below"),
                       render_to_string("standards/matrix_table.html",
                                        matrix.context(request, unit, matrix.HOME_SIZE),
                                        request=request))
