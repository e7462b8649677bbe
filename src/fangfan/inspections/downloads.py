"""Downloads of hazards (issue 9 items 2 and 6): a hazard's rectification notice and
verification slip (.docx), and the hazard ledgers of a unit and its subtree (.xlsx).
Only what the user may view: a hazard outside it is not found (404)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.downloads import DOCX, XLSX, attachment, document_language
from fangfan.core.views.pages import unit_for
from fangfan.inspections import documents, ledgers
from fangfan.inspections.models import OPEN_STATUSES, Hazard


def _hazard(request, pk: int) -> Hazard:
    visible = Hazard.objects.filter(
        permissions.restrict(request.user, "view", registry.get("hazards")))
    return get_object_or_404(
        visible.select_related("unit", "location", "responsible", "dispatched_by",
                               "rectified_by", "verified_by").prefetch_related("steps"),
        pk=pk)


@login_required
def notice(request, pk: int):
    hazard, language = _hazard(request, pk), document_language(request)
    return attachment(documents.notice(hazard, language), DOCX,
                     f"hazard-notice-{hazard.pk}-{language}.docx")


@login_required
def verification(request, pk: int):
    hazard, language = _hazard(request, pk), document_language(request)
    try:
        data = documents.verification(hazard, language)
    except documents.NotVerifiable:
        messages.error(request, _("The verification slip is available once the "
                                  "rectification has been reported."))
        return redirect(hazard.get_absolute_url())
    return attachment(data, DOCX, f"hazard-verification-{hazard.pk}-{language}.docx")


@login_required
def ledger_page(request, code: str | None = None):
    unit = unit_for(request, code, "hazards")
    today = timezone.localdate()
    counts = ledgers.hazards(request.user, unit).order_by().aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        escalated=Count("pk", filter=Q(status__in=OPEN_STATUSES,
                                       escalated_on__isnull=False)))
    return render(request, "inspections/ledgers.html", {"unit": unit, "counts": counts})


@login_required
def register_xlsx(request, code: str):
    unit, language = unit_for(request, code, "hazards"), document_language(request)
    return attachment(ledgers.register_xlsx(request.user, unit, language), XLSX,
                     f"hazard-register-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def four_lists_xlsx(request, code: str):
    unit, language = unit_for(request, code, "hazards"), document_language(request)
    return attachment(ledgers.four_lists_xlsx(request.user, unit, language), XLSX,
                     f"four-lists-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx")
