"""Record type declarations of alert levels (SPEC EMG-1)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.alerts import services
from fangfan.alerts.models import AlertMeasure, AlertOrder, UnitAlert, in_force_q
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role, Unit
from fangfan.core.registry import RecordType, register

READ = {"view", "export"}
# Supervisors and the authority's administrators issue, raise, lower and stand down.
ISSUERS = {"view", "add", "change", "export"}
_TZ = dt.timezone(dt.timedelta(hours=8))


def _authority(unit: Unit) -> Unit:
    """An example's issuing unit: the unit itself, given a unit below it when it has none
    (a campus), so that the example is valid in any unit."""
    from fangfan.core import services as core

    if not Unit.objects.filter(parent=unit).exists():
        core.create_unit(None, {"parent": unit, "code": f"{unit.code}-campus"[:50],
                                "name": f"{unit.name}（校区）", "kind": "school",
                                "stage": unit.stage or "primary"})
    return unit


def _order_example(unit: Unit) -> dict:
    return {"unit": _authority(unit), "level": 2,
            "reason": "上级通报：近期校园周边发生持刀伤人事件，提升防范等级",
            "starts_at": dt.datetime(2026, 11, 27, 8, 0, tzinfo=_TZ),
            "ends_at": dt.datetime(2026, 12, 4, 8, 0, tzinfo=_TZ)}


def _unit_alert_example(unit: Unit) -> dict:
    """A unit's alert under a fresh order of the unit above (one that covers no unit by
    itself, so the example's alert is the unit's only one under it)."""
    from fangfan.core import services as core

    issuer = Unit.objects.get(pk=unit.parent_id) if unit.parent_id else _authority(unit)
    now = timezone.now()
    order = core.create_record(None, AlertOrder, {
        "unit": issuer, "level": 3, "reason": "节日期间加强防范", "kinds": ["enterprise"],
        "stages": ["university"], "starts_at": now - dt.timedelta(hours=1),
        "ends_at": now + dt.timedelta(days=7)})
    return {"unit": unit, "order": order, "level": 3, "baseline": 2, "guards_required": 3,
            "key_locations": 6, "baseline_source": "staffing"}


def _measure_example(unit: Unit) -> dict:
    from fangfan.core import services as core

    alert = UnitAlert.objects.filter(unit=unit).first() or core.create_record(
        None, UnitAlert, _unit_alert_example(unit))
    return {"unit": unit, "unit_alert": alert, "number": 3, "code": "comms"}


register(RecordType(
    model=AlertOrder,
    slug="alert-levels",
    area="emg",
    list_fields=["level", "reason", "starts_at", "ends_at", "stood_down_at", "unit"],
    form_fields=["unit", "level", "reason", "starts_at", "ends_at", "kinds", "stages"],
    detail_fields=["unit", "level", "reason", "starts_at", "ends_at", "kinds", "stages",
                   "stood_down_at", "units_count"],
    card_fields=["level", "starts_at", "ends_at"],
    filter_fields=["level"],
    extra_filters={"in_force": yes_no_filter(_("In force"), lambda: in_force_q())},
    search_fields=["reason"],
    roles={Role.SYSTEM_ADMIN: ISSUERS, Role.SUPERVISOR: ISSUERS, Role.UNIT_ADMIN: ISSUERS,
           Role.PRINCIPAL: READ, Role.AUDITOR: READ, Role.GUARD: set(), Role.STAFF: set()},
    services=services.AlertOrderServices(),
    quick_action=_("Issue an alert level"),
    quick_action_above=True,
    example=_order_example,
    example_update=lambda obj: {"reason": obj.reason + "（补充说明）"},
))

register(RecordType(
    model=UnitAlert,
    slug="unit-alerts",
    area="emg",
    on_home=False,
    list_fields=["level", "acknowledged_at", "measures_done", "measures_total", "order",
                 "unit"],
    form_fields=["note"],
    # Exported, never imported: units' alerts come from their authority's order.
    import_fields=["unit", "order", "level", "issued_at", "acknowledged_at",
                   "guards_required", "guards_on_duty", "measures_done", "measures_total",
                   "note"],
    detail_fields=["unit", "order", "level", "issued_at", "acknowledged_at",
                   "acknowledged_by", "baseline", "baseline_source", "guards_required",
                   "key_locations", "guards_on_duty", "measures_done", "measures_total",
                   "note"],
    card_fields=["level", "acknowledged_at", "measures_done"],
    filter_fields=["level"],
    extra_filters={
        "acknowledged": yes_no_filter(_("Acknowledged"),
                                      lambda: Q(acknowledged_at__isnull=False)),
        "in_force": yes_no_filter(_("In force"), lambda: in_force_q("order__")),
    },
    search_fields=["note"],
    roles={Role.SYSTEM_ADMIN: {"view", "change", "export"}, Role.SUPERVISOR: READ,
           Role.UNIT_ADMIN: {"view", "change", "export"},
           Role.PRINCIPAL: {"view", "change", "export"}, Role.GUARD: {"view"},
           Role.STAFF: {"view"}, Role.AUDITOR: READ},
    services=services.UnitAlertServices(),
    example=_unit_alert_example,
    example_update=lambda obj: {"note": "已安排副校长带班"},
))

register(RecordType(
    model=AlertMeasure,
    slug="alert-measures",
    area="emg",
    on_home=False,
    list_fields=["number", "code", "done", "done_at", "note", "unit_alert", "unit"],
    form_fields=["done", "note", "guards_on_duty"],
    import_fields=["unit", "unit_alert", "number", "code", "done", "done_at",
                   "guards_on_duty", "note"],
    detail_fields=["unit", "unit_alert", "number", "code", "done", "done_at", "done_by",
                   "guards_on_duty", "note"],
    card_fields=["code", "done_at", "note"],
    filter_fields=["code", "done"],
    search_fields=["note"],
    roles={Role.SYSTEM_ADMIN: {"view", "change", "export"}, Role.SUPERVISOR: READ,
           Role.UNIT_ADMIN: {"view", "change", "export"},
           Role.PRINCIPAL: {"view", "change", "export"}, Role.GUARD: {"view", "change"},
           Role.STAFF: {"view"}, Role.AUDITOR: READ},
    services=services.AlertMeasureServices(),
    example=_measure_example,
    example_update=lambda obj: {"note": "已与派出所联系确认"},
))
