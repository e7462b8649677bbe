"""Pages of alert levels: the unit's checklist is its alert's page (each measure ticked
as it is done, HTMX, so a phone's dropped connection loses one item at most); the
authority's live page of a level is the order's page, refreshing itself."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangfan.alerts import live
from fangfan.alerts import services as alert_services
from fangfan.alerts.models import AlertMeasure, AlertOrder, MeasureCode, UnitAlert
from fangfan.core import evidence, permissions, registry
from fangfan.core.views.records import record_step, step_view, visible_record


def measure_row(request, measure: AlertMeasure, error: str = "") -> dict:
    from fangfan.alerts.measures import computed
    from fangfan.alerts.templatetags.alert_measures import can_report

    return {"measure": measure, "error": error,
            "can_change": can_report(request.user, measure.unit_alert),
            "photos": evidence.attachments_of(measure).count(),
            "computed": computed(measure.unit_alert, [measure.code]).get(measure.code)}


@login_required
@require_POST
def report(request, pk: int):
    """Tick one measure done (or not) with its note, the guards on duty and photos;
    answer the measure's row (HTMX)."""
    measure = visible_record(request, "alert-measures", pk, "change")
    error = ""
    guards = request.POST.get("guards_on_duty", "").strip()
    try:
        with transaction.atomic():
            if guards and not guards.isdigit():
                raise ValidationError(_("Give the guards on duty as a whole number."))
            alert_services.report(
                request.user, measure, request.POST.get("done") == "on",
                note=request.POST.get("note", "")[:500],
                guards_on_duty=int(guards) if guards else None)
            for upload in request.FILES.getlist("photos")[:10]:
                evidence.attach(request.user, measure, upload)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        measure.refresh_from_db()
    measure.unit_alert.refresh_from_db()
    return render(request, "alerts/measure_row.html", measure_row(request, measure, error),
                  status=400 if error else 200)


acknowledge = step_view("unit-alerts", alert_services.acknowledge,
                        gettext_lazy("Alert level acknowledged."))


@login_required
def live_table(request, pk: int):
    """The live table of a level (polled by its page every 15 seconds)."""
    order = visible_record(request, "alert-levels", pk)
    return render(request, "alerts/live_table.html",
                  {"order": order, "live": live.build(request.user, order, request.GET)})


@login_required
@require_POST
def change_level(request, pk: int):
    order = visible_record(request, "alert-levels", pk, "change")
    try:
        level = int(request.POST.get("level", ""))
    except ValueError:
        level = 0
    return record_step(request, order,
                       lambda: alert_services.change_level(request.user, order, level),
                       lambda: _("The level is now %(level)s.") % {
                           "level": order.get_level_display()})


stand_down = step_view("alert-levels", alert_services.stand_down,
                       gettext_lazy("The alert level was stood down."), "change")


@login_required
def in_force(request):
    """The levels in force for the current unit: its own checklists and the levels it
    issued (the area's page)."""
    from fangfan.alerts.models import in_force_q
    from fangfan.core.views.pages import unit_for

    try:
        unit = unit_for(request, None, "unit-alerts")
    except Http404:
        unit = None
    mine = []
    issued = []
    if unit is not None:
        mine = list(UnitAlert.objects.filter(in_force_q("order__"), unit=unit)
                    .select_related("order__unit").order_by("level"))
        if permissions.allowed(request.user, "view", registry.get("alert-levels"),
                               unit.path):
            issued = list(AlertOrder.objects.filter(in_force_q(), unit=unit)
                          .order_by("level", "-starts_at"))
    return render(request, "alerts/in_force.html",
                  {"unit": unit, "mine": mine, "issued": issued,
                   "guards": MeasureCode.GUARDS})
