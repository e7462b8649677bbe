"""The inspection's checklist, filled in item by item on one page (a phone's too):
each item's result is saved as it is given, so a dropped connection loses at most the
item being typed; then the inspection is finished."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangfan.core import evidence, permissions, registry, services
from fangfan.core.forms import add_errors, form_class
from fangfan.core.models import Unit
from fangfan.core.views.pages import unit_for
from fangfan.core.views.records import step_view, visible_record
from fangfan.inspections import board
from fangfan.inspections import services as inspection_services


@login_required
@require_POST
def check_item(request, pk: int):
    """Save one item's result, note and photos; answer the item's row (HTMX)."""
    finding = visible_record(request, "findings", pk, "change")
    form = form_class(registry.get("findings"))(data=request.POST, instance=finding)
    error = ""
    if form.is_valid():
        try:
            with transaction.atomic():
                services.update_record(request.user, finding, form.cleaned_data)
                for upload in request.FILES.getlist("photos")[:10]:
                    evidence.attach(request.user, finding, upload)
        except ValidationError as exc:
            add_errors(form, exc)
    if form.errors:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        finding.refresh_from_db()
    finding.hazard_id = finding.hazards.values_list("pk", flat=True).first()
    finding.hazard_count = int(finding.hazard_id is not None)
    row = {"finding": finding, "error": error, "can_change": True,
           "photos": evidence.attachments_of(finding).count()}
    return render(request, "inspections/item_row.html", row,
                  status=400 if error else 200)


finish = step_view("inspections", inspection_services.complete,
                   gettext_lazy("Inspection finished."), "change")


@login_required
def hazard_board(request, code: str | None = None):
    """An authority's hazard board (issue 9): the units below it, worst first, with
    their hazards' counts and rates, and the six months' trend (inspections.board)."""
    unit = unit_for(request, code, "hazards")
    if request.htmx and "home" in request.GET:  # the home page's panel, after the page
        return render(request, "inspections/board_table.html",
                      board.context(request, unit, board.HOME_SIZE))
    context = board.context(request, unit)
    if request.htmx:
        return render(request, "inspections/board_table.html", context)
    up = Unit.objects.filter(pk=unit.parent_id).first() if unit.parent_id else None
    if up and permissions.allowed(request.user, "view", registry.get("hazards"), up.path):
        context["up"] = up
    return render(request, "inspections/board.html", context)
