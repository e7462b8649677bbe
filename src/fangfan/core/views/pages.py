"""Helpers of the pages about one unit (compliance, calendar, duty matrix, documents)."""
from __future__ import annotations

from django.http import Http404

from fangfan.core import permissions, registry
from fangfan.core.models import Unit


def unit_for(request, code: str | None, record_type: str) -> Unit:
    """The unit a page is about: the one asked for, else the current one, else the user's
    first; 404 unless the user may view `record_type` there (no existence leak)."""
    code = code or request.session.get("unit")
    if code:
        unit = Unit.objects.filter(code=code).first()
    else:
        roots = permissions.unit_roots(request.user)
        unit = Unit.objects.filter(path__in=roots).order_by("path").first()
    if unit is None or not permissions.allowed(request.user, "view",
                                               registry.get(record_type), unit.path):
        raise Http404
    return unit
