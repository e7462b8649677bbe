"""Generated documents of the current unit: the work plan in Chinese or English."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fangfan.core import permissions, registry
from fangfan.core.views.pages import unit_for
from fangfan.documents import plan

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def documents(request, code: str | None = None):
    unit = unit_for(request, code, "bodies")
    can = permissions.allowed(request.user, "export", registry.get("people"), unit.path)
    return render(request, "documents/index.html", {"unit": unit, "can_download": can})


# The plan lists people with their phones: writing it out needs the right to export people.
@login_required
def work_plan(request, code: str):
    unit = unit_for(request, code, "bodies")
    if not permissions.allowed(request.user, "export", registry.get("people"), unit.path):
        raise PermissionDenied
    language = request.GET.get("language", "zh-hans")
    if language not in ("zh-hans", "en"):
        raise Http404
    resp = HttpResponse(plan.build(unit, language), content_type=DOCX)
    name = f"work-plan-{unit.code}-{language}-{timezone.localdate():%Y%m%d}.docx"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
