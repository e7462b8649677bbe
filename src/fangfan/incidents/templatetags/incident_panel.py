"""The incident's page: where it stands (reported in time or not, the groups' tasks)
and what the reader may do next (close it, start accounting, the report)."""
from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from fangfan.core import permissions, registry
from fangfan.incidents.models import Incident

register = template.Library()


@register.simple_tag
def incident_panel(user, incident: Incident) -> dict[str, Any]:
    reports = list(incident.reports.all())
    tasks = list(incident.tasks.select_related("group"))
    path = incident.unit_path
    return {
        "reports": reports,
        "tasks": tasks,
        "tasks_done": sum(t.done for t in tasks),
        "not_reported": not reports and incident.report_by is not None,
        "overdue": not reports and incident.report_by is not None
        and incident.report_by < timezone.now(),
        "may_close": incident.is_open and permissions.allowed(
            user, "change", registry.get("incidents"), path),
        "may_account": incident.accounting_id is None and permissions.allowed(
            user, "add", registry.get("accounting-rounds"), path),
    }
