"""Record type declarations of people, locations, assets and their upkeep, funding,
hazardous materials and school buses."""
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role
from fangfan.core.privacy import STAFF_CONTACTS
from fangfan.core.registry import RecordType, register
from fangfan.resources.models import (
    ATTRIBUTES,
    AlarmTest,
    Asset,
    BackgroundCheck,
    BudgetLine,
    BusDriver,
    BusInspection,
    BusRoute,
    Certificate,
    Fault,
    HazmatItem,
    HazmatMovement,
    HazmatStore,
    Location,
    MaintenanceSchedule,
    Person,
    SchoolBus,
    SecurityBudget,
)
from fangfan.resources.models.people import EXPIRY_ALERT_DAYS
from fangfan.resources.services import (
    BudgetLineServices,
    BusInspectionServices,
    FaultServices,
    HazmatMovementServices,
)

register(RecordType(
    model=Person,
    slug="people",
    area="res",
    list_fields=["name", "post", "department", "employment_type", "is_guard", "unit"],
    form_fields=["unit", "name", "post", "department", "phone", "employment_type", "is_guard",
                 "full_time", "employer", "contact_with_minors", "user"],
    filter_fields=["employment_type", "is_guard", "department"],
    children=[("certificates", "person"), ("background-checks", "person")],
    actions=[("certificates", "person", _("Add a certificate")),
             ("background-checks", "person", _("Add a background check"))],
    search_fields=["name", "post", "department"],
    lookups={"user": "username"},
    # Guards name their colleagues in the roster and the handover log (phones masked).
    roles={Role.GUARD: {"view"}},
    personal_data=STAFF_CONTACTS,
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


# --- dedicated funding (RES-7) ---------------------------------------------------------
def _budget(unit) -> SecurityBudget:
    return in_unit(SecurityBudget, unit, {"year": timezone.localdate().year},
                   budgeted=Decimal("200000"))


register(RecordType(
    model=SecurityBudget,
    slug="security-budgets",
    area="res",
    list_fields=["year", "budgeted", "spent", "unit"],
    card_fields=["year", "budgeted", "spent"],
    form_fields=["unit", "year", "budgeted", "note"],
    detail_fields=["unit", "year", "budgeted", "spent", "note"],
    filter_fields=["year"],
    search_fields=["note"],
    children=[("budget-lines", "budget")],
    actions=[("budget-lines", "budget", _("Add a budget line"))],
    example=lambda unit: {"unit": unit, "year": 2026, "budgeted": "150000.00",
                          "note": "区教育局批复"},
    example_update=lambda obj: {"note": "区教育局批复（追加）"},
))

register(RecordType(
    model=BudgetLine,
    slug="budget-lines",
    on_home=False,
    area="res",
    list_fields=["item", "category", "budgeted", "spent", "budget", "unit"],
    card_fields=["item", "budgeted", "spent"],
    form_fields=["unit", "budget", "item", "category", "budgeted", "spent", "asset"],
    filter_fields=["category", "budget"],
    search_fields=["item"],
    lookups={"budget": "year", "asset": "name"},
    files_on_create=_("Invoices, contracts or receipts"),
    services=BudgetLineServices(),  # the budget's spending is the sum of its lines
    example=lambda unit: {"unit": unit, "budget": _budget(unit), "item": "防暴器械更新",
                          "category": "equipment", "budgeted": "12000.00",
                          "spent": "11800.00"},
    example_update=lambda obj: {"spent": "11900.00"},
))


# --- hazardous materials (RES-8) ---------------------------------------------------------
def _custodians(unit) -> tuple[Person, Person]:
    return (in_unit(Person, unit, {"name": "刘宇婷"}),
            in_unit(Person, unit, {"name": "周雨龙"}))


def _store(unit) -> HazmatStore:
    first, second = _custodians(unit)
    lab = in_unit(Location, unit, {"name": "化学实验室"}, kind="lab", is_key=True)
    return in_unit(HazmatStore, unit, {"name": "化学药品柜"}, location=lab,
                   custodian_1=first, custodian_2=second)


def _material(unit) -> HazmatItem:
    return in_unit(HazmatItem, unit, {"store": _store(unit), "name": "浓硫酸"},
                   category="corrosive", measure="ml")


register(RecordType(
    model=HazmatStore,
    slug="hazmat-stores",
    area="res",
    list_fields=["name", "location", "custodian_1", "custodian_2", "unit"],
    form_fields=["unit", "name", "location", "custodian_1", "custodian_2", "notes"],
    filter_fields=["location"],
    search_fields=["name", "notes"],
    lookups={"location": "name", "custodian_1": "name", "custodian_2": "name"},
    # The custodians are teachers of the lab: they see their store and its inventory.
    roles={Role.STAFF: {"view"}},
    children=[("hazmat-items", "store")],
    actions=[("hazmat-items", "store", _("Add a material"))],
    example=lambda unit: {"unit": unit, "name": "药品柜",
                          "location": in_unit(Location, unit, {"name": "化学实验室"},
                                              kind="lab", is_key=True),
                          "custodian_1": _custodians(unit)[0],
                          "custodian_2": _custodians(unit)[1]},
))

register(RecordType(
    model=HazmatItem,
    slug="hazmat-items",
    on_home=False,
    area="res",
    list_fields=["name", "category", "stock", "measure", "store", "unit"],
    card_fields=["name", "stock", "store"],
    form_fields=["unit", "store", "name", "category", "measure"],
    detail_fields=["unit", "store", "name", "category", "measure", "stock"],
    filter_fields=["category", "store"],
    search_fields=["name"],
    lookups={"store": "name"},
    roles={Role.STAFF: {"view"}},
    children=[("hazmat-movements", "item")],
    actions=[("hazmat-movements", "item", _("Record a movement"))],
    example=lambda unit: {"unit": unit, "store": _store(unit), "name": "高锰酸钾",
                          "category": "oxidising", "measure": "g"},
    example_update=lambda obj: {"name": "高锰酸钾（分析纯）"},
))


def _movement(unit) -> dict:
    first, second = _custodians(unit)
    return {"unit": unit, "item": _material(unit), "kind": "receipt",
            "quantity": "500", "purpose": "学期采购入库", "signed_by_1": first,
            "signed_by_2": second}


register(RecordType(
    model=HazmatMovement,
    slug="hazmat-movements",
    on_home=False,
    area="res",
    list_fields=["moved_at", "item", "kind", "quantity", "signed_by_1", "signed_by_2", "unit"],
    card_fields=["item", "moved_at", "quantity"],
    status_field="kind",
    form_fields=["unit", "item", "kind", "quantity", "moved_at", "purpose", "recipient",
                 "signed_by_1", "signed_by_2"],
    filter_fields=["kind", "item"],
    search_fields=["purpose", "recipient", "item__name"],
    lookups={"item": "name", "signed_by_1": "name", "signed_by_2": "name"},
    # The custodians (teachers) see the log they sign; the unit's administrators keep it,
    # since naming the signers needs the people list, which staff do not see.
    roles={Role.STAFF: {"view"}},
    services=HazmatMovementServices(),  # the material's stock follows the log
    example=_movement,
    example_update=lambda obj: {"purpose": "学期采购入库（补登）"},
))


# --- school buses (RES-9) -----------------------------------------------------------------
def _bus(unit) -> SchoolBus:
    return in_unit(SchoolBus, unit, {"plate": "苏D12345"}, seats=45, operator="本校",
                   inspection_due_on=timezone.localdate() + timedelta(days=200),
                   insured_until=timezone.localdate() + timedelta(days=200))


def _qualified_driver(unit) -> Person:
    person = in_unit(Person, unit, {"name": "钱师傅"}, post="校车驾驶员")
    in_unit(Certificate, unit, {"person": person, "kind": "school_bus_driver"},
            number="校驾0001", issued_on=date(2024, 3, 1))
    return person


def _driver(unit) -> BusDriver:
    return in_unit(BusDriver, unit, {"person": _qualified_driver(unit)}, licence_class="A1")


register(RecordType(
    model=SchoolBus,
    slug="school-buses",
    area="res",
    list_fields=["plate", "seats", "operator", "inspection_due_on", "insured_until",
                 "safety_manager", "unit"],
    card_fields=["plate", "inspection_due_on", "safety_manager"],
    form_fields=["unit", "plate", "seats", "operator", "inspection_due_on", "insured_until",
                 "safety_manager", "gps", "in_service"],
    filter_fields=["in_service", "gps"],
    extra_filters={"overdue": yes_no_filter(
        _("Annual inspection overdue"),
        lambda: Q(inspection_due_on__lt=timezone.localdate()))},
    search_fields=["plate", "operator"],
    lookups={"safety_manager": "name"},
    children=[("bus-routes", "bus"), ("bus-inspections", "bus")],
    actions=[("bus-inspections", "bus", _("Log an inspection or maintenance")),
             ("bus-routes", "bus", _("Add a route"))],
    example=lambda unit: {"unit": unit, "plate": "苏D54321", "seats": 35,
                          "operator": "新北公交校车公司",
                          "inspection_due_on": date(2027, 3, 1),
                          "insured_until": date(2027, 6, 30),
                          "safety_manager": _person(unit)},
    example_update=lambda obj: {"seats": 33},
))

register(RecordType(
    model=BusDriver,
    slug="bus-drivers",
    on_home=False,
    area="res",
    list_fields=["person", "licence_class", "active", "unit"],
    form_fields=["unit", "person", "licence_class", "active"],
    filter_fields=["active"],
    search_fields=["person__name"],
    lookups={"person": "name"},
    example=lambda unit: {"unit": unit, "person": _qualified_driver(unit),
                          "licence_class": "A1"},
    example_update=lambda obj: {"licence_class": "A3"},
))

register(RecordType(
    model=BusRoute,
    slug="bus-routes",
    on_home=False,
    area="res",
    list_fields=["name", "bus", "driver", "morning_departure", "afternoon_departure", "unit"],
    form_fields=["unit", "name", "bus", "driver", "stops", "morning_departure",
                 "afternoon_departure"],
    filter_fields=["bus", "driver"],
    search_fields=["name", "stops"],
    lookups={"bus": "plate", "driver": "name"},
    example=lambda unit: {"unit": unit, "name": "东线", "bus": _bus(unit),
                          "driver": _driver(unit).person, "stops": "新桥镇政府\n新桥花园\n学校南门",
                          "morning_departure": "06:50", "afternoon_departure": "16:30"},
    example_update=lambda obj: {"stops": "新桥镇政府\n学校南门"},
))

register(RecordType(
    model=BusInspection,
    slug="bus-inspections",
    on_home=False,
    area="res",
    list_fields=["bus", "done_on", "kind", "result", "next_due_on", "unit"],
    card_fields=["bus", "done_on", "kind"],
    form_fields=["unit", "bus", "done_on", "kind", "result", "next_due_on", "done_by", "note"],
    filter_fields=["bus", "kind", "result"],
    search_fields=["done_by", "note"],
    lookups={"bus": "plate", "driver": "name"},
    services=BusInspectionServices(),  # a passed annual inspection moves the bus's due date
    example=lambda unit: {"unit": unit, "bus": _bus(unit), "done_on": date(2026, 9, 1),
                          "kind": "maintenance", "done_by": "新北汽修厂"},
    example_update=lambda obj: {"note": "更换机油"},
))
