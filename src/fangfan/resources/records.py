"""Record type declarations of people, locations, assets and their upkeep."""
from datetime import date, timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role
from fangfan.core.registry import RecordType, register
from fangfan.resources.models import (
    ATTRIBUTES,
    AlarmTest,
    Asset,
    BackgroundCheck,
    Certificate,
    Fault,
    Location,
    MaintenanceSchedule,
    Person,
)
from fangfan.resources.models.people import EXPIRY_ALERT_DAYS
from fangfan.resources.services import FaultServices

register(RecordType(
    model=Person,
    slug="people",
    area="res",
    list_fields=["name", "post", "department", "employment_type", "is_guard", "unit"],
    form_fields=["unit", "name", "post", "department", "phone", "employment_type", "is_guard",
                 "full_time", "employer", "contact_with_minors", "training_hours", "user"],
    filter_fields=["employment_type", "is_guard", "department"],
    children=[("certificates", "person"), ("background-checks", "person")],
    actions=[("certificates", "person", _("Add a certificate")),
             ("background-checks", "person", _("Add a background check"))],
    search_fields=["name", "post", "department"],
    lookups={"user": "username"},
    # Guards name their colleagues in the roster and the handover log (phones masked).
    roles={Role.GUARD: {"view"}},
    example=lambda unit: {"unit": unit, "name": "王晓明", "post": "教师", "department": "教务处",
                          "phone": "13800000000", "employment_type": "staff"},
))

register(RecordType(
    model=Location,
    slug="locations",
    area="res",
    list_fields=["name", "kind", "is_key", "is_main_entrance", "unit"],
    form_fields=["unit", "name", "kind", "is_key", "is_main_entrance", "notes"],
    filter_fields=["kind", "is_key", "is_main_entrance"],
    search_fields=["name", "notes"],
    # Guards and staff need to know the key locations they protect.
    roles={Role.GUARD: {"view"}, Role.STAFF: {"view"}},
    example=lambda unit: {"unit": unit, "name": "南校门", "kind": "main_gate", "is_key": True,
                          "is_main_entrance": True},
))

register(RecordType(
    model=Asset,
    slug="assets",
    area="res",
    list_fields=["category", "name", "location", "quantity", "status", "unit"],
    card_fields=["name", "category", "location"],
    form_fields=["unit", "category", "name", "location", "quantity", "status",
                 "retention_days", "night_capable", "identifies_faces", "identifies_plates",
                 "police_networked", "distance_to_key_m"],
    filter_fields=["category", "status", "location"],
    search_fields=["name"],
    lookups={"location": "name"},
    # Guards report faults of the devices and test the alarms they watch over: they must
    # see them to name them.
    roles={Role.GUARD: {"view"}},
    # The form offers only the attributes of the chosen category (Asset.clean refuses others).
    applies_when={attr: ("category", categories) for attr, categories in ATTRIBUTES.items()},
    # Each shown only for assets the child's key admits (faults: technical systems,
    # alarm tests: one-key alarms and emergency buttons).
    actions=[("faults", "asset", _("Report a fault")),
             ("alarm-tests", "asset", _("Record an alarm test")),
             ("maintenance", "asset", _("Add a maintenance schedule"))],
    example=lambda unit: {"unit": unit, "category": "recorder", "name": "硬盘录像机",
                          "quantity": 1, "retention_days": 90},
))


def _late_fault() -> Q:
    return (Q(restored_at__isnull=True, due_at__lt=timezone.now())
            | Q(restored_at__gt=F("due_at")))


def _technical_asset(unit) -> Asset:
    return in_unit(Asset, unit, {"category": "camera"}, name="校门摄像机")


def _alarm(unit) -> Asset:
    return in_unit(Asset, unit, {"category": "one_key_alarm"}, name="一键报警装置",
                   police_networked=True)


def _person(unit) -> Person:
    return in_unit(Person, unit, {"name": "王晓明"})


register(RecordType(
    model=Fault,
    slug="faults",
    area="res",
    list_fields=["asset", "reported_at", "due_at", "restored_at", "unit"],
    card_fields=["asset", "due_at", "restored_at"],
    form_fields=["unit", "asset", "reported_at", "description", "temporary_measure",
                 "restored_at", "restored_note"],
    detail_fields=["unit", "asset", "reported_at", "due_at", "description",
                   "temporary_measure", "restored_at", "restored_note"],
    filter_fields=["asset"],
    extra_filters={
        "open": yes_no_filter(_("Not restored yet"), lambda: Q(restored_at__isnull=True)),
        "overdue": yes_no_filter(_("Not restored within 24 hours"), _late_fault)},
    search_fields=["description", "temporary_measure", "asset__name"],
    lookups={"asset": "name"},
    # Guards report faults they find on their rounds.
    roles={Role.GUARD: {"view", "add"}},
    quick_action=_("Report a fault"),
    services=FaultServices(),  # an open fault marks its asset faulty
    example=lambda unit: {"unit": unit, "asset": _technical_asset(unit),
                          "description": "夜间画面全黑", "temporary_measure": "保安在校门值守"},
    example_update=lambda obj: {"restored_note": "更换电源"},
))

register(RecordType(
    model=AlarmTest,
    slug="alarm-tests",
    on_home=False,
    area="res",
    list_fields=["asset", "tested_at", "answered", "response_seconds", "unit"],
    form_fields=["unit", "asset", "tested_at", "answered", "response_seconds", "tested_by",
                 "note"],
    filter_fields=["asset", "answered"],
    search_fields=["tested_by", "note"],
    lookups={"asset": "name"},
    roles={Role.GUARD: {"view", "add"}},
    quick_action=_("Record an alarm test"),
    example=lambda unit: {"unit": unit, "asset": _alarm(unit), "answered": True,
                          "response_seconds": 20, "tested_by": "黄建刚"},
    example_update=lambda obj: {"note": "派出所已接警"},
))

register(RecordType(
    model=MaintenanceSchedule,
    slug="maintenance",
    on_home=False,
    area="res",
    list_fields=["asset", "kind", "every_days", "last_done_on", "next_due_on", "unit"],
    card_fields=["asset", "kind", "next_due_on"],
    form_fields=["unit", "asset", "kind", "every_days", "last_done_on"],
    detail_fields=["unit", "asset", "kind", "every_days", "last_done_on", "next_due_on"],
    filter_fields=["asset", "kind"],
    extra_filters={"overdue": yes_no_filter(
        _("Overdue"), lambda: Q(next_due_on__lt=timezone.localdate()))},
    search_fields=["asset__name"],
    lookups={"asset": "name"},
    example=lambda unit: {"unit": unit, "asset": _technical_asset(unit), "kind": "maintenance",
                          "every_days": 90},
    example_update=lambda obj: {"every_days": 30},
))


register(RecordType(
    model=Certificate,
    slug="certificates",
    on_home=False,
    area="res",
    list_fields=["person", "kind", "number", "expires_on", "unit"],
    card_fields=["person", "kind", "expires_on"],
    form_fields=["unit", "person", "kind", "number", "issued_on", "expires_on"],
    filter_fields=["kind", "person"],
    extra_filters={"expiring": yes_no_filter(
        _("Expires within 30 days or expired"),
        lambda: Q(expires_on__lte=timezone.localdate() + timedelta(days=EXPIRY_ALERT_DAYS)))},
    search_fields=["person__name", "number"],
    lookups={"person": "name"},
    example=lambda unit: {"unit": unit, "person": _person(unit), "kind": "guard_licence",
                          "number": "苏保证0001", "issued_on": date(2024, 3, 1)},
    example_update=lambda obj: {"number": "苏保证0002"},
))

register(RecordType(
    model=BackgroundCheck,
    slug="background-checks",
    on_home=False,
    area="res",
    list_fields=["person", "kind", "checked_on", "result", "unit"],
    status_field="result",
    form_fields=["unit", "person", "kind", "checked_on", "result", "checked_by"],
    filter_fields=["kind", "result", "person"],
    search_fields=["person__name", "checked_by"],
    lookups={"person": "name"},
    example=lambda unit: {"unit": unit, "person": _person(unit), "kind": "hiring",
                          "checked_on": date(2026, 9, 1), "checked_by": "新桥派出所"},
    example_update=lambda obj: {"checked_by": "新北分局"},
))
