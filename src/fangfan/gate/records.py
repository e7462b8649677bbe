"""Record type declarations of the gate (SPEC OPS-4), each with its personal data
(core.privacy, X-3): what is collected, why, on what legal basis, for how long."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role
from fangfan.core.privacy import Kind, PersonalData
from fangfan.core.registry import Action, RecordType, register
from fangfan.gate import services
from fangfan.gate.models import (
    GatePass,
    Pickup,
    PickupAuthorisation,
    Vehicle,
    VehicleEntry,
    Visit,
    VisitorLink,
    VisitStatus,
    WatchEntry,
)
from fangfan.resources.models import Person

ALL = {"view", "add", "change", "delete", "import", "export"}
KEEP = {"view", "add", "change", "export"}
READ = {"view", "export"}
RETENTION = "FANGFAN_VISITOR_RETENTION_DAYS"
# Registering visitors, vehicles and goods at the gate is the unit's statutory duty
# (Regulation on Internal Security Art. 11; Security Services Art. 29-30): PIPL Art.
# 13(3) — no consent needed, a notice is (Art. 17).
GATE_BASIS = _("Necessary to fulfil a statutory duty (PIPL Art. 13(3)): the unit registers "
               "people, vehicles and goods entering (Regulation on Internal Security of "
               "Enterprises and Institutions Art. 11).")
GATE_ROLES = {Role.SYSTEM_ADMIN: ALL, Role.UNIT_ADMIN: ALL, Role.PRINCIPAL: KEEP,
              Role.GUARD: KEEP, Role.SUPERVISOR: set(), Role.AUDITOR: READ}


def _person(unit) -> Person:
    return in_unit(Person, unit, {"name": "王晓明"}, post="教务主任")


def _tomorrow_at(hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


register(RecordType(
    model=Visit,
    slug="visits",
    area="ops",
    list_fields=["visitor_name", "expected_at", "status", "company", "host", "destination",
                 "unit"],
    form_fields=["unit", "visitor_name", "phone", "identity_number", "company", "purpose",
                 "host", "expected_at", "vehicle_plate", "items_carried", "destination",
                 "walk_in", "status", "document_type", "document_returned", "approved"],
    detail_fields=["unit", "visitor_name", "phone", "identity_number", "company", "purpose",
                   "host", "expected_at", "vehicle_plate", "items_carried", "destination",
                   "walk_in", "via_link", "status", "confirmed_by", "confirmed_at",
                   "approved", "approved_by", "approved_at", "document_type",
                   "document_returned", "checked_in_at", "checked_out_at"],
    card_fields=["visitor_name", "expected_at", "host"],
    filter_fields=["status", "walk_in"],
    extra_filters={
        "today": yes_no_filter(_("Expected today"), lambda: Q(
            expected_at__date=timezone.localdate())),
        "inside": yes_no_filter(_("In the school now"),
                                lambda: Q(status=VisitStatus.CHECKED_IN)),
    },
    search_fields=["company", "purpose"],
    lookups={"host": "name", "destination": "name"},
    # The guard typing a walk-in, or a teacher their visitor, names the host among the
    # unit's people without reading the people's list.
    pick_within=("host",),
    roles={**GATE_ROLES, Role.STAFF: {"view", "add"}},
    services=services.VisitServices(),
    managed_fields=("approved",),
    quick_action=_("Register a visitor"),
    children=[("vehicle-entries", "visit")],
    personal_data=PersonalData(
        fields={"visitor_name": Kind.NAME, "phone": Kind.PHONE,
                "identity_number": Kind.IDENTITY, "vehicle_plate": Kind.PLATE},
        purpose=_("To let visitors in safely: to know who is in the school, whom they "
                  "visit and when they leave (campus closed management)."),
        legal_basis=GATE_BASIS, retention_days=180, retention_setting=RETENTION,
        retention_from="expected_at"),
    example=lambda unit: {"unit": unit, "visitor_name": "李华", "phone": "13800000001",
                          "purpose": "商谈校服供应", "host": _person(unit),
                          "expected_at": _tomorrow_at(9), "company": "华美服饰有限公司"},
    example_update=lambda obj: {"items_carried": "校服样品一箱"},
))

register(RecordType(
    model=VisitorLink,
    slug="visitor-links",
    area="ops",
    on_home=False,
    list_fields=["name", "host", "active", "unit"],
    form_fields=["unit", "name", "host", "active"],
    card_fields=["name", "host", "unit"],
    filter_fields=["active"],
    search_fields=["name"],
    lookups={"host": "name"},
    roles={Role.SYSTEM_ADMIN: ALL, Role.UNIT_ADMIN: ALL, Role.PRINCIPAL: KEEP,
           Role.SUPERVISOR: set(), Role.AUDITOR: READ},
    example=lambda unit: {"unit": unit, "name": "学校网站", "host": _person(unit)},
    example_update=lambda obj: {"active": False},
))

register(RecordType(
    model=WatchEntry,
    slug="watch-entries",
    area="ops",
    on_home=False,
    list_fields=["name", "identity_number", "plate", "until", "unit"],
    form_fields=["unit", "name", "identity_number", "plate", "reason", "until"],
    card_fields=["name", "until", "plate"],
    search_fields=["reason"],
    # The unit's leaders keep it; auditors read it (masked) to check its use; the guard
    # sees a warning at check-in, never the list (docs/gate.md).
    roles={Role.SYSTEM_ADMIN: ALL, Role.UNIT_ADMIN: ALL, Role.PRINCIPAL: ALL - {"import"},
           Role.SUPERVISOR: set(), Role.AUDITOR: READ, Role.GUARD: set(),
           Role.STAFF: set()},
    personal_data=PersonalData(
        fields={"name": Kind.NAME, "identity_number": Kind.IDENTITY, "plate": Kind.PLATE},
        purpose=_("To warn the gate of someone the unit must not let in unawares."),
        legal_basis=_("Necessary to protect the life and safety of students and staff in "
                      "an emergency (PIPL Art. 13(4)) and to fulfil the unit's statutory "
                      "security duty (Art. 13(3))."),
        retention_days=180, retention_setting=RETENTION, retention_from="until"),
    example=lambda unit: {"unit": unit, "name": "赵某", "plate": "京A12345",
                          "reason": "法院人身安全保护令，禁止接近其子女",
                          "until": timezone.localdate() + dt.timedelta(days=365)},
    example_update=lambda obj: {"reason": obj.reason + "（已通报派出所）"},
))

register(RecordType(
    model=GatePass,
    slug="gate-passes",
    area="ops",
    on_home=False,
    list_fields=["holder_name", "kind", "company", "valid_from", "valid_until", "areas",
                 "unit"],
    form_fields=["unit", "kind", "holder_name", "company", "valid_from", "valid_until",
                 "areas"],
    card_fields=["holder_name", "company", "valid_until"],
    filter_fields=["kind"],
    extra_filters={"valid": yes_no_filter(_("Valid today"), lambda: Q(
        valid_from__lte=timezone.localdate(), valid_until__gte=timezone.localdate()))},
    search_fields=["company", "areas"],
    roles=GATE_ROLES,
    personal_data=PersonalData(
        fields={"holder_name": Kind.NAME},
        purpose=_("To let staff and contractors' workers in where their work is."),
        legal_basis=GATE_BASIS, retention_days=180, retention_setting=RETENTION,
        retention_from="valid_until"),
    example=lambda unit: {"unit": unit, "kind": "contractor", "holder_name": "陈师傅",
                          "company": "城建装饰工程公司", "valid_from": dt.date(2026, 9, 1),
                          "valid_until": dt.date(2026, 12, 31), "areas": "教学楼工地"},
    example_update=lambda obj: {"areas": "教学楼工地、操场"},
))

register(RecordType(
    model=Vehicle,
    slug="vehicles",
    area="ops",
    on_home=False,
    list_fields=["plate", "owner_name", "kind", "allowed", "unit"],
    form_fields=["unit", "plate", "owner_name", "kind", "allowed"],
    card_fields=["plate", "owner_name", "kind"],
    filter_fields=["kind", "allowed"],
    search_fields=[],
    roles=GATE_ROLES,
    personal_data=PersonalData(
        fields={"plate": Kind.PLATE, "owner_name": Kind.NAME},
        purpose=_("To know the vehicles allowed through the gate."),
        legal_basis=GATE_BASIS),
    example=lambda unit: {"unit": unit, "plate": "京A12345", "owner_name": "王晓明"},
    example_update=lambda obj: {"allowed": False},
))

register(RecordType(
    model=VehicleEntry,
    slug="vehicle-entries",
    area="ops",
    on_home=False,
    list_fields=["plate", "entered_at", "left_at", "registered", "visit", "unit"],
    form_fields=["unit", "plate", "entered_at", "left_at", "visit"],
    detail_fields=["unit", "plate", "entered_at", "left_at", "registered", "visit"],
    card_fields=["plate", "entered_at", "left_at"],
    status_field="registered",
    filter_fields=["registered"],
    extra_filters={"inside": yes_no_filter(_("Still inside"),
                                           lambda: Q(left_at__isnull=True))},
    search_fields=[],
    roles=GATE_ROLES,
    personal_data=PersonalData(
        fields={"plate": Kind.PLATE},
        purpose=_("To know which vehicles are inside the school and when they left."),
        legal_basis=GATE_BASIS, retention_days=180, retention_setting=RETENTION,
        retention_from="entered_at"),
    example=lambda unit: {"unit": unit, "plate": "京AD12345",
                          "entered_at": timezone.now() - dt.timedelta(hours=1)},
    example_update=lambda obj: {"left_at": timezone.now()},
))

CHILD_BASIS = _("Consent of the parent or guardian (PIPL Art. 31), given with the "
                "authorisation; children's data is sensitive and seen only at the gate "
                "and by the school.")

register(RecordType(
    model=PickupAuthorisation,
    slug="pickup-authorisations",
    area="ops",
    on_home=False,
    list_fields=["child_name", "class_name", "adult_name", "relation", "valid_until",
                 "unit"],
    form_fields=["unit", "child_name", "class_name", "adult_name", "adult_phone",
                 "relation", "valid_until"],
    card_fields=["child_name", "class_name", "adult_name"],
    search_fields=["class_name"],
    roles={**GATE_ROLES, Role.STAFF: KEEP, Role.GUARD: {"view"}},
    actions=[Action("pickups", "authorisation", _("Record a pick-up"),
                    prefill={"child_name": lambda a: a.child_name,
                             "class_name": lambda a: a.class_name,
                             "adult_name": lambda a: a.adult_name})],
    personal_data=PersonalData(
        fields={"child_name": Kind.CHILD, "adult_name": Kind.NAME,
                "adult_phone": Kind.PHONE},
        purpose=_("To hand each child only to an adult the parents authorised."),
        legal_basis=CHILD_BASIS, retention_days=180, retention_setting=RETENTION,
        retention_from="valid_until", sensitive=True),
    example=lambda unit: {"unit": unit, "child_name": "刘小雨", "class_name": "一年级2班",
                          "adult_name": "刘建国", "adult_phone": "13900000002",
                          "relation": "祖父",
                          "valid_until": timezone.localdate() + dt.timedelta(days=180)},
    example_update=lambda obj: {"relation": "外祖父"},
))

register(RecordType(
    model=Pickup,
    slug="pickups",
    area="ops",
    on_home=False,
    list_fields=["child_name", "class_name", "adult_name", "picked_up_at",
                 "teacher_confirmed", "unit"],
    form_fields=["unit", "child_name", "class_name", "adult_name", "picked_up_at",
                 "teacher_confirmed"],
    detail_fields=["unit", "child_name", "class_name", "adult_name", "picked_up_at",
                   "teacher_confirmed", "authorisation"],
    card_fields=["child_name", "adult_name", "picked_up_at"],
    status_field="teacher_confirmed",
    filter_fields=["teacher_confirmed"],
    search_fields=["class_name"],
    roles={**GATE_ROLES, Role.STAFF: KEEP},
    personal_data=PersonalData(
        fields={"child_name": Kind.CHILD, "adult_name": Kind.NAME},
        purpose=_("To know who picked up each child and when."),
        legal_basis=CHILD_BASIS, retention_days=180, retention_setting=RETENTION,
        retention_from="picked_up_at", sensitive=True),
    example=lambda unit: {"unit": unit, "child_name": "刘小雨", "class_name": "一年级2班",
                          "adult_name": "张某", "teacher_confirmed": True,
                          "picked_up_at": timezone.now() - dt.timedelta(minutes=5)},
    example_update=lambda obj: {"class_name": "一年级3班"},
))
