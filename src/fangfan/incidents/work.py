"""The work incidents give (home pages): an open incident to report to the police and
the authorities by its limit, and to see through to its closure."""
from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.work import SOURCE_LIMIT, TODAY, WorkContext, WorkItem, source
from fangfan.incidents.models import ExternalReport, IncidentStatus


@source
def open_incidents(ctx: WorkContext) -> Iterator[WorkItem]:
    qs = ctx.scoped("incidents")
    if qs is None:
        return
    reports = registry.get("incident-reports")
    rows = qs.filter(status=IncidentStatus.OPEN).annotate(
        reported=Exists(ExternalReport.objects.filter(incident=OuterRef("pk")))) \
        .select_related("unit").order_by("occurred_at")[:SOURCE_LIMIT]
    for i in rows:
        if not i.reported and permissions.allowed(ctx.user, "add", reports, i.unit_path):
            query = urlencode({"incident": i.pk, "unit": i.unit_id})
            yield WorkItem(title=_("Report the incident: %(title)s") % {"title": i.title},
                           detail=_("To the police and the authorities"),
                           url=f"{reverse(reports.add_url_name)}?{query}",
                           action=_("Record a report"), unit=i.unit.name, due=i.report_by)
        else:
            yield WorkItem(title=_("Incident being handled: %(title)s") % {"title": i.title},
                           url=i.get_absolute_url(), action=_("Open"), unit=i.unit.name,
                           bucket=TODAY)


@source
def reports_to_assess(ctx: WorkContext) -> Iterator[WorkItem]:
    """Suspicious reports not assessed yet, for the unit's leaders who assess them."""
    from fangfan.incidents.models import SuspicionStatus

    qs = ctx.scoped("suspicious-reports")
    if qs is None:
        return
    rt = registry.get("suspicious-reports")
    for r in qs.filter(status=SuspicionStatus.NEW).select_related("unit", "location") \
            .order_by("reported_at")[:SOURCE_LIMIT]:
        if permissions.allowed(ctx.user, "change", rt, r.unit_path):
            yield ctx.item("suspicious-reports", r, _("Assess"), bucket=TODAY,
                           title=_("Suspicious report to assess: %(what)s") % {
                               "what": r.what[:60]}, detail=r.where)
