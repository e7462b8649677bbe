"""The work hazards and inspections give each day (home pages): hazards to assign,
rectify by their deadline and verify; inspections left unfinished; and for an authority,
the supervisory inspections of the semester still to do (R-SUPV)."""
from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.models import Unit
from fangfan.core.work import SOURCE_LIMIT, TODAY, WorkContext, WorkItem, panel, source
from fangfan.inspections.models import HazardStatus, Inspection
from fangfan.inspections.services import SUPERVISIONS_PER_SEMESTER


def _hazard_item(h, action: str, **fields) -> WorkItem:
    return WorkItem(title=h.title, url=h.get_absolute_url(), action=action,
                    unit=h.unit.name, detail=h.location.name if h.location else "", **fields)


@source
def hazards_to_rectify(ctx: WorkContext) -> Iterator[WorkItem]:
    for h in ctx.due("hazards", "deadline", "location",
                     status__in=[HazardStatus.ASSIGNED, HazardStatus.RETURNED]):
        yield _hazard_item(h, _("Report rectified"), due=h.deadline)


@source
def hazards_to_handle(ctx: WorkContext) -> Iterator[WorkItem]:
    """Hazards waiting for someone who manages them: to assign, or to verify."""
    qs = ctx.scoped("hazards")
    if qs is None or not permissions.allowed(ctx.user, "change", registry.get("hazards")):
        return
    waiting = qs.filter(status__in=[HazardStatus.FOUND, HazardStatus.RECTIFIED]) \
        .select_related("unit", "location").order_by("found_on")[:SOURCE_LIMIT]
    for h in waiting:
        if not permissions.allowed(ctx.user, "change", registry.get("hazards"), h.unit_path):
            continue
        action = _("Assign") if h.status == HazardStatus.FOUND else _("Verify")
        yield _hazard_item(h, action, bucket=TODAY)


@source
def unfinished_inspections(ctx: WorkContext) -> Iterator[WorkItem]:
    qs = ctx.scoped("inspections")
    if qs is None:
        return
    for i in qs.filter(completed_on__isnull=True).select_related("unit") \
            .order_by("inspected_on")[:SOURCE_LIMIT]:
        yield WorkItem(title=_("Finish the %(kind)s of %(date)s") % {
            "kind": i.get_kind_display(), "date": i.inspected_on},
            url=i.get_absolute_url(), action=_("Continue"), unit=i.unit.name,
            due=i.inspected_on)


@source
def supervisions_due(ctx: WorkContext) -> Iterator[WorkItem]:
    """For an authority: the units directly under it inspected fewer than twice this
    semester by it; the first inspection is due by the middle of the semester, the
    second by its end."""
    from fangfan.standards import calendar

    rt = registry.get("inspections")
    table = None
    for path in ctx.paths:
        authority = Unit.objects.filter(path=path).first()
        if authority is None or not permissions.allowed(ctx.user, "add", rt, path):
            continue
        table = table if table is not None else calendar.terms_by_path()
        term = calendar.current_term(ctx.today, calendar.terms_for(path, table))
        if term is None:
            continue
        start, end = term
        children = list(Unit.objects.filter(parent=authority, stage__gt="")
                        .order_by("path")[:SOURCE_LIMIT])
        done = dict(Inspection.objects.filter(
            unit__in=[u.pk for u in children], by_supervisor=True,
            completed_on__isnull=False, inspected_on__range=(start, end))
            .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
        for unit in children:
            count = done.get(unit.pk, 0)
            if count >= SUPERVISIONS_PER_SEMESTER:
                continue
            # Paced over the semester: the first by its middle, the second by its end.
            due = start + (end - start) * (count + 1) / SUPERVISIONS_PER_SEMESTER
            query = urlencode({"unit": unit.pk, "kind": "supervisory",
                               "authority": authority.pk})
            yield WorkItem(
                title=_("Supervisory inspection of %(unit)s") % {"unit": unit.name},
                detail=_("%(done)s of %(required)s this semester") % {
                    "done": count, "required": SUPERVISIONS_PER_SEMESTER},
                url=f"{reverse(rt.add_url_name)}?{query}", action=_("Inspect"),
                unit=authority.name, due=due)


@panel
def hazard_board(request, unit) -> str | None:
    """An authority's home shows the hazard board of the units below it (the worst few
    and the subtree's totals), linking to the whole board. Loaded after the page (HTMX;
    without JavaScript, a link to the board): read from the kept counts it answers in
    tens of milliseconds even at the top of a province, but the day's work is the home
    page's own and waits for no panel."""
    from django.utils.html import format_html

    if not permissions.allowed(request.user, "view", registry.get("hazards"), unit.path):
        return None
    url = reverse("hazard-board-unit", args=[unit.code])
    return format_html(
        '<h3 class="mb-2"><a class="text-reset" href="{}">{}</a></h3>'
        '<div data-testid="hazard-board-panel" hx-get="{}?home=1" hx-trigger="load" '
        'hx-swap="outerHTML"><a class="btn" href="{}">{}</a></div>',
        url, _("Hazards across the units below"), url, url, _("Open the hazard board"))
