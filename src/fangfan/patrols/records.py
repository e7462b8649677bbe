"""Record type declarations of patrols (SPEC OPS-2)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role
from fangfan.core.registry import RecordType, register
from fangfan.patrols import services
from fangfan.patrols.models import Checkpoint, PatrolRound, PatrolRoute, PatrolScan
from fangfan.resources.models import Location

READ = {"view", "export"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROUTE = {"name": "校园重点部位巡查"}
ROUTE_EXTRA = {"times": "07:00, 10:00, 13:00, 16:00, 21:00", "tolerance_minutes": 30}
# A round added by hand is ahead of its time (services.RoundServices).
EXAMPLE_DUE = dt.datetime(2030, 9, 2, 21, 0, tzinfo=SHANGHAI)


def _route(unit) -> PatrolRoute:
    return in_unit(PatrolRoute, unit, ROUTE, **ROUTE_EXTRA)


def _checkpoint(unit) -> Checkpoint:
    route = _route(unit)
    location = in_unit(Location, unit, {"name": "配电房"}, kind="power_room", is_key=True)
    return in_unit(Checkpoint, unit, {"route": route, "location": location}, order=1)


def _scan_example(unit) -> dict:
    """A scan in a round due now (the worker may not have made it yet)."""
    point = _checkpoint(unit)
    now = timezone.now().replace(second=0, microsecond=0)
    rnd = in_unit(PatrolRound, unit, {"route": point.route, "due_at": now})
    return {"unit": unit, "round": rnd, "checkpoint": point, "scanned_at": now,
            "note": "门窗完好"}


register(RecordType(
    model=PatrolRoute,
    slug="patrol-routes",
    area="ops",
    list_fields=["name", "times", "tolerance_minutes", "active", "unit"],
    form_fields=["unit", "name", "times", "tolerance_minutes", "active", "notes"],
    card_fields=["name", "times", "active"],
    filter_fields=["active"],
    search_fields=["name", "notes"],
    roles={Role.GUARD: {"view"}},
    children=[("checkpoints", "route"), ("patrol-rounds", "route")],
    example=lambda unit: {"unit": unit, **ROUTE, **ROUTE_EXTRA},
    example_update=lambda obj: {"notes": "寒暑假期间夜间加密巡查"},
))

register(RecordType(
    model=Checkpoint,
    slug="checkpoints",
    area="ops",
    on_home=False,
    # The code is printed on the QR sheet only: a guard who could read it in a list
    # could "patrol" from the duty room by typing it.
    list_fields=["order", "location", "route", "unit"],
    form_fields=["unit", "route", "location", "order"],
    card_fields=["location", "order", "route"],
    filter_fields=["route"],
    search_fields=["location__name"],
    lookups={"route": "name", "location": "name"},
    roles={Role.GUARD: {"view"}},
    example=lambda unit: {"unit": unit, "route": _route(unit),
                          "location": in_unit(Location, unit, {"name": "南校门"},
                                              kind="main_gate", is_key=True),
                          "order": 2},
    example_update=lambda obj: {"order": obj.order + 1},
))

register(RecordType(
    model=PatrolRound,
    slug="patrol-rounds",
    area="ops",
    list_fields=["route", "due_at", "status", "started_by", "missed", "late", "unit"],
    form_fields=["unit", "route", "due_at", "review"],
    detail_fields=["unit", "route", "due_at", "status", "started_at", "started_by",
                   "finished_at", "missed", "late", "review", "reviewed_by"],
    card_fields=["route", "due_at", "missed"],
    filter_fields=["status", "route"],
    extra_filters={
        "incomplete": yes_no_filter(_("Missed or late checkpoints"),
                                    lambda: Q(missed__gt=0) | Q(late__gt=0)),
    },
    search_fields=["route__name", "review"],
    lookups={"route": "name"},
    roles={Role.GUARD: READ, Role.PRINCIPAL: {"view", "change", "export"}},
    children=[("patrol-scans", "round")],
    services=services.RoundServices(),
    managed_fields=("review",),
    example=lambda unit: {"unit": unit, "route": _route(unit), "due_at": EXAMPLE_DUE},
    example_update=lambda obj: {"due_at": obj.due_at + dt.timedelta(days=1)},
))

register(RecordType(
    model=PatrolScan,
    slug="patrol-scans",
    area="ops",
    on_home=False,
    list_fields=["location", "scanned_at", "person", "late", "note", "unit"],
    form_fields=["unit", "round", "checkpoint", "scanned_at", "person", "note"],
    detail_fields=["unit", "round", "location", "scanned_at", "person", "late", "note",
                   "by"],
    card_fields=["location", "scanned_at", "person"],
    status_field="late",
    filter_fields=["late"],
    search_fields=["note", "location__name"],
    lookups={"person": "name"},
    # Guards record scans from the patrol page; a scan is what was seen, not changed.
    roles={Role.GUARD: {"view", "add"}},
    services=services.ScanServices(),
    files_on_create=_("Photos"),
    example=_scan_example,
    example_update=lambda obj: {"note": "配电房门锁完好，无异常"},
))
