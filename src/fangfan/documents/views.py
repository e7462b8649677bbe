"""Generated documents of the current unit: the work plan in Chinese or English."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from fangfan.core import permissions, registry
from fangfan.core.downloads import DOCX, attachment, document_language
from fangfan.core.views.pages import unit_for
from fangfan.documents import plan


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
    language = document_language(request, default="zh-hans")
    name = f"work-plan-{unit.code}-{language}-{timezone.localdate():%Y%m%d}.docx"
    return attachment(plan.build(unit, language, request.user), DOCX, name)
