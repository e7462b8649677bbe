"""The gate's fact (SPEC STD-2, STD-6 "four 100%"): closed campus management (封闭化管理),
computed from the gate's records and the physical means of closing the campus."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_noop

from fangfan.gate.models import VehicleEntry, Visit
from fangfan.resources.models import Asset, AssetCategory, Location, LocationKind
from fangfan.standards.facts import fact, fact_time, family

# Records at the gate this recent show the gate is worked (docs/gate.md).
RECENT_DAYS = 30
# The physical means: an anti-ramming barrier at the gate (GB/T 29315-2022, 拒马/升降柱)
# and a closed perimeter (walls or fences).
BARRIERS = [AssetCategory.VEHICLE_BARRIER]
PERIMETER = [AssetCategory.WALL_FENCE, AssetCategory.ANTI_CLIMB_FENCE]

fact("closed_management", "gate", "bool",
     gettext_noop("The campus is under closed management: visitors or vehicles were "
                  "registered at the gate in the last 30 days, and the unit has a main gate, "
                  "a vehicle barrier and a perimeter wall or fence in service."),
     source="visits")


def _in_service(categories: list[str]) -> Exists:
    return Exists(Asset.objects.filter(unit_path=OuterRef("unit_path"),
                                       category__in=categories, status="in_service"))


def _derive(row: dict) -> dict:
    return {"closed_management": row["closed"] > 0}


@family("gate", derive=_derive, clock=True, minute=True, source="locations")
def _gate(scope: Q) -> QuerySet:
    """One row per unit with locations: whether one of its main gates comes with recent
    gate records, a barrier and a perimeter. The main gate is tested first, so the
    lookups run only for main gates."""
    since = fact_time() - dt.timedelta(days=RECENT_DAYS)
    visits = Visit.objects.filter(unit_path=OuterRef("unit_path"),
                                  expected_at__gte=since - dt.timedelta(days=1),
                                  checked_in_at__gte=since)
    entries = VehicleEntry.objects.filter(unit_path=OuterRef("unit_path"),
                                          entered_at__gte=since)
    main = Q(kind=LocationKind.MAIN_GATE) | Q(is_main_entrance=True)
    return (Location.objects.filter(scope)
            .annotate(visits=Exists(visits), entries=Exists(entries),
                      barrier=_in_service(BARRIERS), perimeter=_in_service(PERIMETER))
            .values("unit_path").annotate(closed=Count("id", filter=main & (
                Q(visits=True) | Q(entries=True)) & Q(barrier=True) & Q(perimeter=True))))
