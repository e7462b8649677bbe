"""Facts (SPEC STD-2): named, documented aggregates over a unit's records, computed in
bulk for a whole subtree with one grouped query per family, never one query per unit.

A fact is None ("unknown") when its unit has no records of the family yet, or when the
records it needs are not kept in Fangfan yet (`unavailable` says which); rules that
read an unknown fact evaluate to `unknown`, never to met."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, connections
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from fangfan.resources.models import Asset, AssetCategory, Location, LocationKind, Person

# {unit path: {fact: value}}: keyed by path because grouping by it follows the
# (unit_path, …) indexes every record table has, which halves a province's scan.
Values = dict[str, dict[str, float | int | bool | None]]


@dataclass(frozen=True)
class Fact:
    name: str
    family: str
    kind: str  # "int", "float" or "bool"
    doc: str
    unavailable: str = ""
    # The record type (registry slug) whose records it counts, where a gap is fixed;
    # empty: its family's. A slug, so that standards imports no domain app.
    source: str = ""
    # Why it is unknown although the unit keeps the family's records (a sentence,
    # gettext_noop; its records are `source`'s). Empty: unknown only while the unit has
    # none of the family's records (their type is the family's `source`).
    missing: str = ""

    @property
    def supplier(self) -> str:
        """The registry slug of the records it counts (empty: none kept yet)."""
        fam = FAMILIES.get(self.family)
        return self.source or (fam.source if fam else "")

    @property
    def missing_from(self) -> str:
        """The registry slug of the records whose absence leaves it unknown."""
        fam = FAMILIES.get(self.family)
        return self.supplier if self.missing else (fam.source if fam else "")


FACTS: dict[str, Fact] = {}
Query = Callable[[Q], QuerySet]  # the grouped query of a family for a scope
Derive = Callable[[dict], dict]  # one row of it into the facts of its unit


@dataclass(frozen=True)
class Family:
    query: Query
    derive: Derive
    clock: bool = False  # reads the current time, so its SQL cannot be kept
    source: str = ""  # registry slug of the records it groups: none of them, all unknown


FAMILIES: dict[str, Family] = {}


def fact(name: str, family: str, kind: str, doc: str, unavailable: str = "",
         source: str = "", missing: str = "") -> None:
    FACTS[name] = Fact(name, family, kind, doc, unavailable, source, missing)


def family(name: str, derive: Derive = lambda row: row, clock: bool = False,
           source: str = ""):
    """Register a family's grouped query (one row per unit, `unit_path` first) over the
    records of the record type `source`."""
    def register(fn: Query) -> Query:
        FAMILIES[name] = Family(fn, derive, clock, source)
        return fn

    return register


# Unit attributes: always known, read from the unit itself.
UNIT_ATTRIBUTES = {
    "kind": str, "stage": str, "locale": str, "boarding": bool, "staff_count": int,
    "student_count": int, "boarder_count": int, "key_target_grade": int,
}

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
fact("training_hours_min_guard", "people", "int",
     gettext_noop("The fewest training hours this year among the unit's guards."),
     missing=gettext_noop("No guards are recorded for this unit yet."))


@family("people", source="people")
def _people(scope: Q) -> QuerySet:
    return Person.objects.filter(scope).values("unit_path").annotate(
        people_count=Count("id"),
        guards_total=Count("id", filter=Q(is_guard=True)),
        guards_full_time=Count("id", filter=Q(is_guard=True, full_time=True)),
        training_hours_min_guard=Min("training_hours", filter=Q(is_guard=True)),
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
fact("main_gate_camera_ok", "asset_places", "bool",
     gettext_noop("An in-service camera at a main entrance that works at night and identifies "
                  "faces and plates."))
fact("gate_alarm_networked", "asset_places", "bool",
     gettext_noop("An in-service one-key alarm in the gate duty room (or at the main gate) "
                  "networked to the police."))
fact("lighting_working_ratio", "asset_places", "float",
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


def _derive_assets(r: dict) -> dict:
    for name in [f"kit_{i}" for i in KIT] + ["steel_forks"]:
        r[name] = r[name] or 0
    r["kit_items_min"] = min(r[f"kit_{i}"] for i in KIT)
    r["video_retention_days_min"] = r["video_retention_days_min"] or 0
    if r["baggage_distance_min_m"] is not None:
        r["baggage_distance_min_m"] = float(r["baggage_distance_min_m"])
    r["control_room_system"] = r.pop("control_rooms") > 0
    return r


@family("assets", derive=_derive_assets, source="assets")
def _assets(scope: Q) -> QuerySet:
    cat = AssetCategory
    qty = {f"kit_{i}": Sum("quantity", filter=IN_SERVICE & Q(category=i)) for i in KIT}
    return Asset.objects.filter(scope).values("unit_path").annotate(
        assets_count=Count("id"),
        video_retention_days_min=Min("retention_days",
                                     filter=IN_SERVICE & Q(category=cat.RECORDER)),
        steel_forks=Sum("quantity", filter=IN_SERVICE & Q(category=cat.STEEL_FORK)),
        baggage_storage_count=Count("id", filter=IN_SERVICE & Q(category=cat.BAGGAGE_STORAGE)),
        baggage_distance_min_m=Min("distance_to_key_m",
                                   filter=IN_SERVICE & Q(category=cat.BAGGAGE_STORAGE)),
        control_rooms=Count("id", filter=IN_SERVICE & Q(category=cat.CONTROL_ROOM_SYSTEM)),
        **qty,
    )


def _derive_places(r: dict) -> dict:
    lights, working = r["lights"] or 0, r["lights_working"] or 0
    return {"main_gate_camera_ok": r["gate_cameras"] > 0,
            "gate_alarm_networked": r["gate_alarms"] > 0,
            "lighting_working_ratio": round(working / lights, 4) if lights else 0.0}


@family("asset_places", derive=_derive_places, source="assets")
def _asset_places(scope: Q) -> QuerySet:
    """Facts that need the asset's location (a join); a query of its own so that it runs
    beside the other families."""
    cat = AssetCategory
    return Asset.objects.filter(scope).values("unit_path").annotate(
        gate_cameras=Count("id", filter=IN_SERVICE & Q(
            category=cat.CAMERA, location__is_main_entrance=True, night_capable=True,
            identifies_faces=True, identifies_plates=True)),
        gate_alarms=Count("id", filter=IN_SERVICE & Q(
            category=cat.ONE_KEY_ALARM, police_networked=True,
            location__kind__in=[LocationKind.GATE_DUTY_ROOM, LocationKind.MAIN_GATE])),
        lights=Sum("quantity", filter=Q(category=cat.LIGHTING)
                   & (Q(location__is_key=True) | ENTRANCE)),
        lights_working=Sum("quantity", filter=IN_SERVICE & Q(category=cat.LIGHTING)
                           & (Q(location__is_key=True) | ENTRANCE)),
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
                camera_zones_uncovered=Count("id", filter=Q(kind__in=CAMERA_ZONES, cam=False)),
                risk_rooms_unprotected=Count("id", filter=Q(kind__in=RISK_ROOMS)
                                             & (Q(cam=False) | Q(det=False))),
            ))


# --- organisation (ORG-1, ORG-4, ORG-5) ---------------------------------------------------
fact("leadership_group_leader", "organisation", "bool",
     gettext_noop("The unit's leadership group has a leader (组长, its first responsible person); "
                  "known once the unit records people, so a unit without one shows the gap."),
     source="bodies")
fact("responsible_person_set", "organisation", "bool",
     gettext_noop("A responsible department with a responsible person (or director) is recorded."),
     source="bodies")
fact("liaisons_count", "organisation", "int",
     gettext_noop("Liaisons designated for the unit."),
     source="liaisons")
fact("support_units_count", "support_units", "int",
     gettext_noop("External support units recorded."))
fact("police_support_km_min", "support_units", "float",
     gettext_noop("Distance (km) to the nearest police station among the support units; unknown "
                  "when none is a police station."),
     missing=gettext_noop("No police station is recorded among the support units yet."))


@family("organisation",
        derive=lambda r: {"leadership_group_leader": r["leaders"] > 0,
                          "responsible_person_set": r["responsible"] > 0,
                          "liaisons_count": r["liaisons_count"]},
        source="people")
def _organisation(scope: Q) -> QuerySet:
    """Over the unit's people: a unit that records people but no leader has a gap."""
    return Person.objects.filter(scope).values("unit_path").annotate(
        leaders=Count("memberships", distinct=True, filter=Q(
            memberships__role="leader", memberships__body__kind="leadership_group")),
        responsible=Count("memberships", distinct=True, filter=Q(
            memberships__body__kind="responsible_department",
            memberships__role__in=["responsible_person", "director", "leader"])),
        liaisons_count=Count("liaisons", distinct=True))


def _derive_support(r: dict) -> dict:
    km = r["police_support_km_min"]
    return {**r, "police_support_km_min": None if km is None else float(km)}


@family("support_units", derive=_derive_support, source="support-units")
def _support_units(scope: Q) -> QuerySet:
    from fangfan.organisation.models import SupportUnit

    return SupportUnit.objects.filter(scope).values("unit_path").annotate(
        support_units_count=Count("id"),
        police_support_km_min=Min("distance_km", filter=Q(kind="police")))


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


@family("people_checks", clock=True, source="people")
def _people_checks(scope: Q) -> QuerySet:
    from fangfan.resources.models import RECHECK_DAYS, BackgroundCheck, Certificate

    today = timezone.localdate()
    recent = BackgroundCheck.objects.filter(
        person=OuterRef("pk"), checked_on__gt=today - dt.timedelta(days=RECHECK_DAYS))
    licence = Certificate.objects.filter(person=OuterRef("pk"), kind="guard_licence").filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    expired = Certificate.objects.filter(person=OuterRef("pk"), expires_on__lt=today)
    return (Person.objects.filter(scope)
            .annotate(checked=Exists(recent), licensed=Exists(licence),
                      lapsed=Exists(expired))
            .values("unit_path").annotate(
                background_checks_overdue=Count("id", filter=Q(contact_with_minors=True,
                                                               checked=False)),
                guards_without_licence=Count("id", filter=Q(is_guard=True, licensed=False)),
                certificates_expired=Count("id", filter=Q(lapsed=True))))


# --- responsibility letters (ORG-3) ------------------------------------------------------
fact("letters_issued", "letters", "int",
     gettext_noop("Responsibility letters issued to the unit's people."))
fact("letters_signed", "letters", "int",
     gettext_noop("Of those, letters signed."))
fact("letters_overdue", "letters", "int",
     gettext_noop("Letters still unsigned after their campaign's deadline."))


@family("letters", clock=True, source="letters")
def _letters(scope: Q) -> QuerySet:
    from fangfan.organisation.models import Letter

    return Letter.objects.filter(scope).values("unit_path").annotate(
        letters_issued=Count("id"),
        letters_signed=Count("id", filter=Q(signed_on__isnull=False)),
        letters_overdue=Count("id", filter=Q(signed_on__isnull=True,
                                             campaign__deadline__lt=timezone.localdate())))


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


@family("faults", clock=True, source="assets")
def _faults(scope: Q) -> QuerySet:
    """The upkeep of the unit's assets. A unit that records assets but no fault has none
    (0), not an unknown count."""
    from fangfan.resources.models import ALARMS, AlarmTest, MaintenanceSchedule

    now = timezone.now()
    tested = AlarmTest.objects.filter(asset=OuterRef("pk"),
                                      tested_at__gte=now - dt.timedelta(days=90))
    late = MaintenanceSchedule.objects.filter(asset=OuterRef("pk"),
                                              next_due_on__lt=timezone.localdate())
    open_late = Q(faults__restored_at__isnull=True, faults__due_at__lt=now)
    return (Asset.objects.filter(scope)
            .annotate(tested=Exists(tested), overdue_upkeep=Exists(late))
            .values("unit_path").annotate(
                faults_recorded=Count("faults", distinct=True),
                faults_open=Count("faults", distinct=True,
                                  filter=Q(faults__restored_at__isnull=True)),
                faults_unrestored_over_24h=Count("faults", distinct=True, filter=open_late),
                alarms_untested_90_days=Count("id", distinct=True, filter=Q(
                    category__in=ALARMS, status="in_service", tested=False)),
                maintenance_overdue=Count("id", distinct=True, filter=Q(
                    overdue_upkeep=True))))


# --- records Fangfan does not keep yet: always unknown, with the reason -----------------
_LATER = {
    "guards_on_duty": ("int",
        gettext_noop("Guards on duty per shift at the gate (duty roster)."),
        gettext_noop("duty rosters")),
    "semesters_without_drill": ("int",
        gettext_noop("Ended semesters of this school year without a drill."),
        gettext_noop("drill records")),
    "months_without_drill": ("int",
        gettext_noop("Ended months of this school year without a drill."),
        gettext_noop("drill records")),
    "quarters_without_drill": ("int",
        gettext_noop("Ended quarters of this school year without a drill."),
        gettext_noop("drill records")),
    "ct_drills_this_year": ("int",
        gettext_noop("Counter-terrorism drills held this school year."),
        gettext_noop("drill records")),
    "months_without_self_inspection": ("int",
        gettext_noop("Ended months without a self-inspection."),
        gettext_noop("inspection records")),
    "supervisions_this_semester": ("int",
        gettext_noop("Supervisory inspections of the unit this semester."),
        gettext_noop("inspection records")),
    "quarters_without_meeting": ("int",
        gettext_noop("Ended quarters without a situation analysis meeting."),
        gettext_noop("meeting minutes")),
    "concern_entries_contact_overdue": ("int",
        gettext_noop("Open persons-of-concern entries not contacted for over a week."),
        gettext_noop("the persons-of-concern ledger")),
    "closed_management": ("bool",
        gettext_noop("The campus is under closed management."),
        gettext_noop("gate and visitor records")),
    "hu_xue_gang_posts": ("int",
        gettext_noop("Police school-guard posts (护学岗) in service."),
        gettext_noop("school-guard post records")),
    "video_police_networked": ("bool",
        gettext_noop("The video system is networked to the police."),
        gettext_noop("video networking records")),
}
for _name, (_kind, _doc, _records) in _LATER.items():
    fact(_name, "later", _kind, _doc, unavailable=_records)


def compute(scope: Q, needed: set[str] | None = None, parallel: bool = False) -> Values:
    """Facts of the units whose records match `scope` (a condition on `unit_path`):
    {unit path: {fact: value}}; a unit or fact absent from the answer is unknown.

    With `parallel`, outside a transaction, the families run side by side, one database
    connection each (the database works while Python waits), which halves a province's
    evaluation on two cores; inside a transaction (a request, a test) they must see its
    writes, and for a few units new connections cost more than they save."""
    chosen = _families(needed)
    if not parallel or connection.in_atomic_block or len(chosen) < 2:
        parts = [_run(FAMILIES[fam], scope) for fam in chosen]
    else:
        with ThreadPoolExecutor(max_workers=min(len(chosen), 4)) as pool:
            parts = list(pool.map(lambda fam: _in_own_connection(FAMILIES[fam], scope),
                                  chosen))
    return _merge(parts)


def compute_unit(path: str, needed: set[str] | None = None) -> Values:
    """`compute` for the records of one unit, with each family's SQL built once per
    process: building a query of forty filtered aggregates costs Django more than the
    database needs to answer it for one unit (the re-evaluation after each change)."""
    parts = []
    with connection.cursor() as cursor:
        for fam in _families(needed):
            if FAMILIES[fam].clock:
                parts.append(_run(FAMILIES[fam], Q(unit_path=path)))
                continue
            sql, params, slot = _unit_sql(fam)
            params[slot] = path
            cursor.execute(sql, params)
            names = [c[0] for c in cursor.description]
            parts.append(_derived(FAMILIES[fam], (dict(zip(names, row, strict=True))
                                                  for row in cursor.fetchall())))
    return _merge(parts)


_SLOT = "\x00unit-path\x00"
_unit_sqls: dict[tuple[str, str], tuple[str, list, int]] = {}


def _unit_sql(fam: str) -> tuple[str, list, int]:
    key = (connection.alias, fam)
    if key not in _unit_sqls:
        qs = FAMILIES[fam].query(Q(unit_path=_SLOT))
        sql, params = qs.query.sql_with_params()
        _unit_sqls[key] = (sql, list(params), list(params).index(_SLOT))
    sql, params, slot = _unit_sqls[key]
    return sql, list(params), slot


def _families(needed: set[str] | None) -> list[str]:
    families = {FACTS[n].family for n in needed} if needed is not None else set(FAMILIES)
    return sorted(families & set(FAMILIES))


def _run(fam: Family, scope: Q) -> Values:
    return _derived(fam, fam.query(scope))


def _derived(fam: Family, rows) -> Values:
    out = {}
    for row in rows:
        path = row.pop("unit_path")
        out[path] = fam.derive(row)
    return out


def _merge(parts: list[Values]) -> Values:
    out: Values = {}
    for part in parts:
        for path, values in part.items():
            out.setdefault(path, {}).update(values)
    return out


def _in_own_connection(fam: Family, scope: Q) -> Values:
    try:
        return _run(fam, scope)
    finally:
        connections.close_all()  # this worker thread's own connections


def unknown_reason(name: str) -> str:
    """Why a fact is unknown, as a sentence in the reader's language that names the
    missing records, never the fact (pages add the link: `standards.reasons`)."""
    from django.utils.translation import gettext as _

    from fangfan.core import registry

    f = FACTS.get(name)
    if f is None:  # a fact a newer pack dropped, still named by an old result
        return _("Some records it needs are missing.")
    if f.unavailable:
        return _("Fangfan does not keep %(records)s yet.") % {"records": _(f.unavailable)}
    if f.missing:
        return _(f.missing)
    return _("No %(records)s are recorded for this unit yet.") % {
        "records": registry.get(f.missing_from).verbose_name_plural}


_RULE_IDS = re.compile(r"\s*\((?:R|RES)-[A-Za-z0-9-]+\)")


def describe(name: str) -> str:
    """A fact as users read it: its meaning in their language, without rule ids."""
    from django.utils.translation import gettext as _

    return _RULE_IDS.sub("", _(FACTS[name].doc))


def record_slug(name: str) -> str:
    """The registry slug of the records a fact counts ('' for none kept yet, or an
    unknown name): where its gap is fixed."""
    f = FACTS.get(name)
    return f.supplier if f else ""


def markdown_table() -> str:
    """The fact table of docs/standards.md (kept equal by a test)."""
    lines = ["| name | family | records | type | meaning |", "|---|---|---|---|---|"]
    for f in FACTS.values():
        later = (f" *Unknown until Fangfan keeps {f.unavailable}.*" if f.unavailable else "")
        records = f"`{f.supplier}`" if f.supplier else "—"
        lines.append(f"| `{f.name}` | {f.family} | {records} | {f.kind} | {f.doc}{later} |")
    return "\n".join(lines) + "\n"
