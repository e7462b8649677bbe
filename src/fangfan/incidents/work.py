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
