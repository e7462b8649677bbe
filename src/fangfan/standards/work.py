"""The work the standards give a unit each day (home page, issue 8): obligations of the
calendar that are due or overdue, and the requirements it does not meet, each with the
page that resolves it."""
from __future__ import annotations

from collections.abc import Iterator

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.work import GAP, SOURCE_LIMIT, WorkContext, WorkItem, panel, source
from fangfan.standards import fixes, matrix
from fangfan.standards.models import ObligationStatus, Requirement, Status


@source
def obligations_due(ctx: WorkContext) -> Iterator[WorkItem]:
    for ob in ctx.due("obligations", "due_on", "requirement",
                      status__in=[ObligationStatus.DUE, ObligationStatus.OVERDUE,
                                  ObligationStatus.UPCOMING]):
        yield ctx.item("obligations", ob, _("Record it done"), due=ob.due_on,
                       title=ob.requirement.short_title,
                       detail=_("For %(start)s – %(end)s") % {"start": ob.period_start,
                                                             "end": ob.period_end})


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
        yield WorkItem(title=r.requirement.short_title, detail=fixes.shortfall(r),
                       unit=r.unit.name, bucket=GAP,
                       url=fixes.url_for(ctx.user, r), action=_("Fix it"))


@panel
def gap_matrix(request, unit) -> str | None:
    """An authority's home shows its subtree's gap matrix (first page, filterable)."""
    if not permissions.allowed(request.user, "view", registry.get("compliance-results"),
                               unit.path):
        return None
    return render_to_string("standards/matrix_table.html",
                            matrix.context(request, unit, matrix.HOME_SIZE),
                            request=request)
