"""The fact families of people and resources (SPEC STD-2): people, assets and the places
they serve, locations, the checks of people, and the upkeep of assets. Declared here, in
the generic registry of fangfan.standards.facts, when the app is ready (apps.py)."""
from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext_noop

from fangfan.resources.models import (
    ALARMS,
    RECHECK_DAYS,
    AlarmTest,
    Asset,
    AssetCategory,
    BackgroundCheck,
    BusDriver,
    Certificate,
    Fault,
    HazmatMovement,
    HazmatStore,
    Location,
    LocationKind,
    MaintenanceSchedule,
    Person,
    SchoolBus,
    SecurityBudget,
)
from fangfan.resources.models.buses import valid_qualification
from fangfan.standards.facts import count_at, fact, fact_day, fact_time, family, units

KIT = ["helmet", "shield", "stab_vest", "cut_gloves", "baton", "strong_flashlight",
       "defence_spray"]
IN_SERVICE = Q(status="in_service")

# --- people -------------------------------------------------------------------------
fact("people_count", "people", "int",
     gettext_noop("People recorded for the unit."))
fact("guards_total", "people", "int",
     gettext_noop("Guards (保安员) recorded, full- or part-time."))
fact("guards_full_time", "people", "int",
     gettext_noop("Full-time guards (专职保安员)."))


@family("people", source="people")
def _people(scope: Q) -> QuerySet:
    return Person.objects.filter(scope).values("unit_path").annotate(
        people_count=Count("id"),
        guards_total=Count("id", filter=Q(is_guard=True)),
        guards_full_time=Count("id", filter=Q(is_guard=True) & Q(full_time=True)),
    )


# --- assets -------------------------------------------------------------------------
fact("assets_count", "assets", "int",
     gettext_noop("Assets recorded for the unit (any status)."))
fact("video_retention_days_min", "assets", "int",
     gettext_noop("Shortest retention in days over the unit's in-service video recorders; 0 when "
                  "the unit records assets but no recorder."))
KIT_DOCS = {
    "helmet": gettext_noop("Helmets of the guard kit in service (R-KIT)."),
    "shield": gettext_noop("Shields of the guard kit in service (R-KIT)."),
    "stab_vest": gettext_noop("Stab-proof vests of the guard kit in service (R-KIT)."),
    "cut_gloves": gettext_noop("Pairs of cut-resistant gloves of the guard kit in service "
                               "(R-KIT)."),
    "baton": gettext_noop("Rubber batons of the guard kit in service (R-KIT)."),
    "strong_flashlight": gettext_noop("Strong flashlights of the guard kit in service "
                                      "(R-KIT)."),
    "defence_spray": gettext_noop("Defence sprays of the guard kit in service (R-KIT)."),
}
for _item in KIT:
    fact(f"kit_{_item}", "assets", "int", KIT_DOCS[_item])
fact("kit_items_min", "assets", "int",
     gettext_noop("The smallest count among the seven per-guard kit items (R-KIT)."))
fact("steel_forks", "assets", "int",
     gettext_noop("In-service safety steel forks."))
fact("main_gate_camera_ok", "assets", "bool",
     gettext_noop("An in-service camera at a main entrance that works at night and identifies "
                  "faces and plates."))
fact("gate_alarm_networked", "assets", "bool",
     gettext_noop("An in-service one-key alarm in the gate duty room (or at the main gate) "
                  "networked to the police."))
fact("video_police_networked", "assets", "bool",
     gettext_noop("The video system is networked to the police: an in-service video recorder "
                  "is linked to the public security video platform (与公安机关联网)."),
     missing=gettext_noop("No video recorder in service is recorded, or whether it is "
                          "networked to the police is not filled in."))
fact("lighting_working_ratio", "assets", "float",
     gettext_noop("In-service share of lighting at key locations and entrances (0 when none "
                  "recorded)."))
fact("baggage_storage_count", "assets", "int",
     gettext_noop("Baggage storage facilities in service."))
fact("baggage_distance_min_m", "assets", "float",
     gettext_noop("Shortest distance (m) from a baggage storage facility to a key location."),
     missing=gettext_noop("The distance from the baggage storage to the key locations is "
                          "not recorded yet."))
fact("control_room_system", "assets", "bool",
     gettext_noop("A control-room security system is recorded."))

ENTRANCE = Q(location__is_main_entrance=True) | Q(
    location__kind__in=[LocationKind.MAIN_GATE, LocationKind.ENTRANCE])


def _in_service(category: str) -> Q:
    """The category first: SQLite stops at the first false test, and most assets are
    in service but of another category (1.75 s instead of 2.25 s of CPU for a
    province's assets)."""
    return Q(category=category) & IN_SERVICE


# The most networked in-service recorder, as Max(When(...)): one aggregate instead of
# three counts on a province's scan of assets. None: no recorder in service.
LINKED, UNANSWERED, NOT_LINKED = 2, 1, 0
VIDEO_LINK = {None: None, NOT_LINKED: False, UNANSWERED: None, LINKED: True}


def _video_link() -> Max:
    """One networked recorder networks the system (its platform gathers the others'
    video); with none, a recorder whose networking is left blank leaves it unknown."""
    return Max(Case(When(police_networked=True, then=Value(LINKED)),
                    When(police_networked__isnull=True, then=Value(UNANSWERED)),
                    default=Value(NOT_LINKED)),
               filter=_in_service(AssetCategory.RECORDER))


def _derive_assets(r: dict) -> dict:
    for name in [f"kit_{i}" for i in KIT] + ["steel_forks"]:
        r[name] = r[name] or 0
    r["kit_items_min"] = min(r[f"kit_{i}"] for i in KIT)
    r["video_retention_days_min"] = r["video_retention_days_min"] or 0
    if r["baggage_distance_min_m"] is not None:
        r["baggage_distance_min_m"] = float(r["baggage_distance_min_m"])
    r["control_room_system"] = r.pop("control_rooms") > 0
    lights, working = r.pop("lights") or 0, r.pop("lights_working") or 0
    r["main_gate_camera_ok"] = r.pop("gate_cameras") > 0
    r["gate_alarm_networked"] = r.pop("gate_alarms") > 0
    r["video_police_networked"] = VIDEO_LINK[r.pop("video_link")]
    r["lighting_working_ratio"] = round(working / lights, 4) if lights else 0.0
    return r


@family("assets", derive=_derive_assets, source="assets")
def _assets(scope: Q) -> QuerySet:
    """The counts of the unit's assets and those that need the asset's location (a
    join), in one scan of the assets: the two were separate queries run side by side,
    and each scan of a province's 2.75 million assets costs a second of CPU (issue 14)."""
    cat = AssetCategory
    qty = {f"kit_{i}": Sum("quantity", filter=_in_service(i)) for i in KIT}
    lit = Q(category=cat.LIGHTING) & (Q(location__is_key=True) | ENTRANCE)
    return Asset.objects.filter(scope).values("unit_path").annotate(
        assets_count=Count("id"),
        video_retention_days_min=Min("retention_days",
                                     filter=_in_service(cat.RECORDER)),
        steel_forks=Sum("quantity", filter=_in_service(cat.STEEL_FORK)),
        baggage_storage_count=Count("id", filter=_in_service(cat.BAGGAGE_STORAGE)),
        baggage_distance_min_m=Min("distance_to_key_m",
                                   filter=_in_service(cat.BAGGAGE_STORAGE)),
        control_rooms=Count("id", filter=_in_service(cat.CONTROL_ROOM_SYSTEM)),
        **qty,
        gate_cameras=Count("id", filter=_in_service(cat.CAMERA) & Q(
            location__is_main_entrance=True, night_capable=True, identifies_faces=True,
            identifies_plates=True)),
        gate_alarms=Count("id", filter=_in_service(cat.ONE_KEY_ALARM) & Q(
            police_networked=True,
            location__kind__in=[LocationKind.GATE_DUTY_ROOM, LocationKind.MAIN_GATE])),
        video_link=_video_link(),
        lights=Sum("quantity", filter=lit),
        lights_working=Sum("quantity", filter=lit & IN_SERVICE),
    )


# --- locations ----------------------------------------------------------------------
fact("locations_count", "locations", "int",
     gettext_noop("Locations recorded for the unit."))
fact("key_locations", "locations", "int",
     gettext_noop("Key locations (重要部位)."))
fact("gate_duty_rooms", "locations", "int",
     gettext_noop("Gate duty rooms (门卫值班室)."))
fact("control_rooms", "locations", "int",
     gettext_noop("Security control rooms (监控中心)."))
fact("camera_zones_uncovered", "locations", "int",
     gettext_noop("Teaching buildings, dormitories, canteens, storage rooms and playgrounds "
                  "without an in-service camera (R-TECH)."))
fact("risk_rooms_unprotected", "locations", "int",
     gettext_noop("Hazardous-chemical stores, finance offices and labs lacking an in-service "
                  "intrusion detector or camera (R-TECH)."))

CAMERA_ZONES = [LocationKind.TEACHING_BUILDING, LocationKind.DORMITORY, LocationKind.CANTEEN,
                LocationKind.STORAGE, LocationKind.PLAYGROUND]
RISK_ROOMS = [LocationKind.CHEMICAL_STORE, LocationKind.FINANCE_OFFICE, LocationKind.LAB]


def _has(category: str) -> Exists:
    return Exists(Asset.objects.filter(location=OuterRef("pk"), category=category,
                                       status="in_service"))


@family("locations", source="locations")
def _locations(scope: Q) -> QuerySet:
    return (Location.objects.filter(scope)
            .annotate(cam=_has(AssetCategory.CAMERA), det=_has(AssetCategory.INTRUSION_DETECTOR))
            .values("unit_path").annotate(
                locations_count=Count("id"),
                key_locations=Count("id", filter=Q(is_key=True)),
                gate_duty_rooms=Count("id", filter=Q(kind=LocationKind.GATE_DUTY_ROOM)),
                control_rooms=Count("id", filter=Q(kind=LocationKind.CONTROL_ROOM)),
                # the kind first: the camera lookup only for the rooms it concerns
                camera_zones_uncovered=Count("id", filter=Q(kind__in=CAMERA_ZONES)
                                             & Q(cam=False)),
                risk_rooms_unprotected=Count("id", filter=Q(kind__in=RISK_ROOMS)
                                             & (Q(cam=False) | Q(det=False))),
            ))


# --- people in depth (RES-1) ---------------------------------------------------------------
fact("background_checks_overdue", "people_checks", "int",
     gettext_noop("People in contact with minors without a background check in the last 365 days "
                  "(Minors Protection Law Art. 62: at hiring and every year)."),
     source="background-checks")
fact("guards_without_licence", "people_checks", "int",
     gettext_noop("Guards without a guard licence (保安员证) that is valid today."),
     source="certificates")
fact("certificates_expired", "people_checks", "int",
     gettext_noop("Certificates of the unit's people that have expired."),
     source="certificates")


@family("people_checks", clock=True, minute=True, source="people")
def _people_checks(scope: Q) -> QuerySet:
    """For the units that record people: those who need a check or a licence, less
    those who hold a valid one, counted per unit from its path's people (an index
    range) and its checks and certificates (a check or certificate is of a person of
    its own unit): a lookup of each of a province's 1.75 million people for their
    checks took most of a night's second."""
    today = fact_day()
    people = Person.objects.filter(unit_path=OuterRef("path"))
    checks = BackgroundCheck.objects.filter(unit_path=OuterRef("path"))
    certificates = Certificate.objects.filter(unit_path=OuterRef("path"))
    return (units(scope)
            .filter(Exists(people)).values("unit_path").annotate(
                background_checks_overdue=count_at(people.filter(contact_with_minors=True))
                - count_at(checks.filter(
                    person__contact_with_minors=True,
                    checked_on__gt=today - dt.timedelta(days=RECHECK_DAYS)), "person"),
                guards_without_licence=count_at(people.filter(is_guard=True))
                - count_at(certificates.filter(
                    Q(expires_on__isnull=True) | Q(expires_on__gte=today),
                    person__is_guard=True, kind="guard_licence"), "person"),
                certificates_expired=count_at(certificates.filter(expires_on__lt=today),
                                            "person")))


# --- faults ---------------------------------------------------------------------------
fact("faults_recorded", "faults", "int",
     gettext_noop("Faults recorded for the unit's technical systems."),
     source="faults")
fact("faults_open", "faults", "int",
     gettext_noop("Faults not restored yet."),
     source="faults")
fact("faults_unrestored_over_24h", "faults", "int",
     gettext_noop("Faults still not restored 24 hours after they were reported (R-FAULT)."),
     source="faults")


fact("alarms_untested_90_days", "faults", "int",
     gettext_noop("In-service one-key alarms and emergency buttons without a test call in 90 days "
                  "(RES-4b)."),
     source="alarm-tests")
fact("maintenance_overdue", "faults", "int",
     gettext_noop("Maintenance, inspection or calibration schedules past their due date (RES-5)."),
     source="maintenance")


@family("faults", clock=True, minute=True, source="assets")
def _faults(scope: Q) -> QuerySet:
    """The upkeep of the unit's assets, for the units that record assets: one with
    assets but no fault has none (0), not an unknown count. Counted per unit from the
    faults, alarms and schedules of its path (a fault is of an asset of its own unit),
    each a lookup of their path's index: joining every asset to its faults read a
    province's 2.75 million assets every night for a few thousand faults."""
    now = fact_time()
    tested = AlarmTest.objects.filter(asset=OuterRef("pk"),
                                      tested_at__gte=now - dt.timedelta(days=90))
    late = MaintenanceSchedule.objects.filter(asset=OuterRef("pk"),
                                              next_due_on__lt=fact_day())
    faults = Fault.objects.filter(unit_path=OuterRef("path"))
    assets = Asset.objects.filter(unit_path=OuterRef("path"))
    return (units(scope)
            .filter(Exists(assets)).values("unit_path").annotate(
                faults_recorded=count_at(faults),
                faults_open=count_at(faults.filter(restored_at__isnull=True)),
                faults_unrestored_over_24h=count_at(faults.filter(
                    restored_at__isnull=True, due_at__lt=now)),
                alarms_untested_90_days=count_at(assets.filter(
                    category__in=ALARMS, status="in_service").exclude(Exists(tested))),
                maintenance_overdue=count_at(assets.filter(Exists(late)))))


# --- dedicated funding (RES-7) --------------------------------------------------------
fact("security_budget_this_year", "funding", "bool",
     gettext_noop("A dedicated security budget with at least one line is recorded for the "
                  "current year (Counter-Terrorism Law Art. 32)."))


def _derive_funding(r: dict) -> dict:
    return {"security_budget_this_year": r.pop("lines_this_year") > 0}


@family("funding", derive=_derive_funding, clock=True, minute=True,
        source="security-budgets")
def _funding(scope: Q) -> QuerySet:
    """A unit with budgets of other years only has none this year (false, a gap); one
    without any budget is unknown, as everywhere: nothing is recorded yet."""
    return SecurityBudget.objects.filter(scope).values("unit_path").annotate(
        lines_this_year=Count("lines", filter=Q(year=fact_day().year)))


# --- hazardous materials (RES-8) ------------------------------------------------------
fact("hazmat_stores", "hazmat", "int",
     gettext_noop("Stores of hazardous chemicals or radioactive sources."),
     default=0)
fact("hazmat_stores_without_two_custodians", "hazmat", "int",
     gettext_noop("Hazardous-materials stores without two different custodians, each holding "
                  "a key (双人双锁)."))
fact("hazmat_single_signed_issues", "hazmat_log", "int",
     gettext_noop("Movements in the hazardous-materials log not signed by two different "
                  "custodians (双人双锁)."),
     source="hazmat-movements", default=0)


@family("hazmat", source="hazmat-stores")
def _hazmat(scope: Q) -> QuerySet:
    two = (Q(custodian_1__isnull=False) & Q(custodian_2__isnull=False)
           & ~Q(custodian_1=F("custodian_2")))
    return HazmatStore.objects.filter(scope).values("unit_path").annotate(
        hazmat_stores=Count("id"),
        hazmat_stores_without_two_custodians=Count("id", filter=~two))


@family("hazmat_log", source="hazmat-movements")
def _hazmat_log(scope: Q) -> QuerySet:
    """Fangfan refuses such a movement on every write; this reads the log itself, so
    that the rule is met from records and a log written around Fangfan (a restore, old
    paper records migrated) still shows what it lacks."""
    once = (Q(signed_by_1__isnull=True) | Q(signed_by_2__isnull=True)
            | Q(signed_by_1=F("signed_by_2")))
    return HazmatMovement.objects.filter(scope).values("unit_path").annotate(
        hazmat_single_signed_issues=Count("id", filter=once))


# --- school buses (RES-9) -------------------------------------------------------------
fact("school_buses", "buses", "int",
     gettext_noop("School buses in service."),
     default=0)
fact("buses_inspection_overdue", "buses", "int",
     gettext_noop("School buses in service past their annual inspection date."))
fact("buses_insurance_lapsed", "buses", "int",
     gettext_noop("School buses in service whose insurance has lapsed."))
fact("buses_without_safety_manager", "buses", "int",
     gettext_noop("School buses in service without a named safety manager."))
fact("bus_drivers_unqualified", "bus_drivers", "int",
     gettext_noop("Bus drivers on duty without a school bus driving qualification (校车驾驶资格) "
                  "valid today."),
     source="bus-drivers")


@family("buses", clock=True, minute=True, source="school-buses")
def _buses(scope: Q) -> QuerySet:
    today = fact_day()
    running = Q(in_service=True)
    return SchoolBus.objects.filter(scope).values("unit_path").annotate(
        school_buses=Count("id", filter=running),
        buses_inspection_overdue=Count("id", filter=running & Q(inspection_due_on__lt=today)),
        buses_insurance_lapsed=Count("id", filter=running & Q(insured_until__lt=today)),
        buses_without_safety_manager=Count("id", filter=running
                                           & Q(safety_manager__isnull=True)))


@family("bus_drivers", clock=True, minute=True, source="bus-drivers")
def _bus_drivers(scope: Q) -> QuerySet:
    valid = Certificate.objects.filter(valid_qualification(fact_day()),
                                       person=OuterRef("person"))
    return (BusDriver.objects.filter(scope).annotate(qualified=Exists(valid))
            .values("unit_path").annotate(
                bus_drivers_unqualified=Count("id", filter=Q(active=True, qualified=False))))
