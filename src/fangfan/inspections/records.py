"""Record type declarations of inspections and hazards (SPEC §5)."""
from datetime import date

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role
from fangfan.core.registry import Action, RecordType, register
from fangfan.inspections import services
from fangfan.inspections.models import (
    OPEN_STATUSES,
    Checklist,
    Finding,
    Hazard,
    HazardStatus,
    HazardStep,
    Inspection,
)
from fangfan.resources.models import Person

ALL = {"view", "add", "change", "delete", "import", "export"}
READ = {"view", "export"}
# Supervisors inspect the units of their subtree, dispatch hazards and verify them.
INSPECTORS = {Role.SUPERVISOR: {"view", "add", "change", "export"},
              Role.PRINCIPAL: {"view", "add", "change", "export"}}
# Anyone at a unit reports a hazard and sees where it stands; staff also rectify.
REPORTERS = {**INSPECTORS, Role.GUARD: {"view", "add"}, Role.STAFF: {"view", "add"}}


def _inspection(unit) -> Inspection:
    return in_unit(Inspection, unit, {"inspectors": "郭建刚"}, kind="self",
                   inspected_on=date(2026, 11, 2))


def _hazard(unit) -> Hazard:
    return in_unit(Hazard, unit, {"title": "南门防冲撞石球缺失两个"}, found_on=date(2026, 11, 2))


register(RecordType(
    model=Checklist,
    slug="checklists",
    area="ins",
    on_home=False,
    shared_down=True,
    list_fields=["name", "kind", "unit"],
    form_fields=["unit", "name", "kind", "items"],
    filter_fields=["kind"],
    search_fields=["name", "items"],
    roles={Role.SUPERVISOR: {"view", "add", "change", "delete", "export"},
           Role.STAFF: {"view"}, Role.GUARD: {"view"}},
    example=lambda unit: {"unit": unit, "name": "开学安全检查表", "kind": "special",
                          "items": "门卫值守到位\n校门防冲撞设施完好"},
    example_update=lambda obj: {"items": obj.items + "\n应急物资齐全"},
))

register(RecordType(
    model=Inspection,
    slug="inspections",
    area="ins",
    list_fields=["inspected_on", "kind", "inspectors", "completed_on", "authority", "unit"],
    form_fields=["unit", "kind", "authority", "checklist", "inspected_on", "inspectors",
                 "summary"],
    detail_fields=["unit", "kind", "authority", "checklist", "inspected_on", "inspectors",
                   "summary", "completed_on"],
    card_fields=["inspected_on", "kind", "inspectors"],
    filter_fields=["kind"],
    extra_filters={"open": yes_no_filter(_("Not finished"),
                                         lambda: Q(completed_on__isnull=True))},
    search_fields=["inspectors", "summary"],
    roles=INSPECTORS,
    applies_when={"authority": ("kind", ["supervisory"])},
    services=services.InspectionServices(),
    quick_action=_("Start an inspection"),
    example=lambda unit: {"unit": unit, "kind": "self", "inspected_on": date(2026, 11, 2),
                          "inspectors": "郭建刚、黄建刚"},
    example_update=lambda obj: {"summary": "总体良好，发现隐患1处"},
))

register(RecordType(
    model=Finding,
    slug="findings",
    area="ins",
    on_home=False,
    list_fields=["number", "item", "result", "note", "inspection", "unit"],
    form_fields=["result", "note"],
    import_fields=["unit", "inspection", "number", "item", "result", "note"],
    detail_fields=["unit", "inspection", "number", "item", "result", "note"],
    filter_fields=["result"],
    search_fields=["item", "note"],
    # Items come from the checklist when the inspection is made, never added by hand.
    roles={role: {"view", "change", "export"} for role in (
        Role.SYSTEM_ADMIN, Role.UNIT_ADMIN, Role.SUPERVISOR, Role.PRINCIPAL)},
    services=services.FindingServices(),
    actions=[Action("hazards", "finding", _("Make it a hazard"),
                    when=lambda f: f.result == "fail" and not f.hazards.exists())],
    example=lambda unit: {"unit": unit, "inspection": _inspection(unit), "number": 1,
                          "item": "校门防冲撞设施完好"},
    example_update=lambda obj: {"result": "pass", "note": "完好"},
))


def _open(hazard: Hazard, *statuses: str) -> bool:
    return hazard.status in statuses


register(RecordType(
    model=Hazard,
    slug="hazards",
    area="ins",
    list_fields=["title", "severity", "status", "deadline", "responsible", "location",
                 "unit"],
    form_fields=["unit", "kind", "title", "description", "location", "severity", "source",
                 "found_on", "found_by", "finding", "responsible", "measures", "deadline"],
    detail_fields=["unit", "kind", "title", "description", "location", "severity", "source",
                   "found_on", "found_by", "finding", "dispatched_by", "requirement",
                   "status", "responsible", "measures", "deadline", "rectified_on",
                   "rectification", "rectified_by", "closed_on", "verified_by",
                   "escalated_on"],
    card_fields=["title", "deadline", "location"],
    filter_fields=["status", "severity", "source", "kind"],
    extra_filters={
        "open": yes_no_filter(_("Not closed yet"), lambda: Q(status__in=OPEN_STATUSES)),
        "overdue": yes_no_filter(_("Past the deadline"), lambda: Q(
            status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())),
        # The board's counts link here (inspections.board).
        "escalated": yes_no_filter(_("Escalated"), lambda: Q(
            status__in=OPEN_STATUSES, escalated_on__isnull=False)),
        "on_time": yes_no_filter(_("Closed by the deadline"), lambda: Q(
            status=HazardStatus.CLOSED, deadline__isnull=False,
            closed_on__lte=F("deadline"))),
    },
    search_fields=["title", "description", "found_by"],
    lookups={"responsible": "name", "location": "name"},
    roles=REPORTERS,
    children=[("hazard-steps", "hazard")],
    actions=[
        Action("hazard-steps", "hazard", _("Assign"), {"kind": "assign"},
               when=lambda h: _open(h, HazardStatus.FOUND, HazardStatus.RETURNED)),
        Action("hazard-steps", "hazard", _("Report rectified"), {"kind": "rectify"},
               when=lambda h: _open(h, HazardStatus.ASSIGNED, HazardStatus.RETURNED)),
        Action("hazard-steps", "hazard", _("Verify and close"), {"kind": "verify"},
               when=lambda h: _open(h, HazardStatus.RECTIFIED)),
        Action("hazard-steps", "hazard", _("Return for rework"), {"kind": "return"},
               when=lambda h: _open(h, HazardStatus.RECTIFIED)),
    ],
    services=services.HazardServices(),
    quick_action=_("Report a hazard"),
    files_on_create=_("Photos"),
    managed_fields=("kind", "source", "finding", "responsible", "measures", "deadline"),
    example=lambda unit: {"unit": unit, "title": "南门防冲撞石球缺失两个",
                          "found_on": date(2026, 11, 2), "severity": "general"},
    example_update=lambda obj: {"description": "南门东侧两个石球缺失"},
))


def _step_example(unit) -> dict:
    """A rectification of a newly assigned hazard (a step staff may take too)."""
    from fangfan.core import services

    person = in_unit(Person, unit, {"name": "郭建刚"})
    hazard = services.create_record(None, Hazard, {
        "unit": unit, "title": "南门防冲撞石球缺失两个", "found_on": date(2026, 11, 2),
        "responsible": person, "deadline": date(2026, 11, 16), "measures": "购置并安装石球"})
    return {"unit": unit, "hazard": hazard, "kind": "rectify", "done_on": date(2026, 11, 3),
            "note": "已补装两个石球"}


register(RecordType(
    model=HazardStep,
    slug="hazard-steps",
    area="ins",
    on_home=False,
    list_fields=["done_on", "kind", "by", "responsible", "deadline", "note", "hazard",
                 "unit"],
    form_fields=["unit", "hazard", "kind", "responsible", "measures", "deadline", "note",
                 "done_on"],
    detail_fields=["unit", "hazard", "kind", "by", "responsible", "measures", "deadline",
                   "note", "done_on"],
    filter_fields=["kind"],
    search_fields=["note", "measures"],
    lookups={"responsible": "name"},
    roles={Role.SYSTEM_ADMIN: {"view", "add", "change", "export"},
           Role.UNIT_ADMIN: {"view", "add", "change", "export"},
           Role.SUPERVISOR: {"view", "add", "export"}, Role.PRINCIPAL: {"view", "add", "export"},
           Role.GUARD: {"view"}, Role.STAFF: {"view", "add"}, Role.AUDITOR: READ},
    applies_when={"responsible": ("kind", ["assign"]), "measures": ("kind", ["assign"]),
                  "deadline": ("kind", ["assign"])},
    services=services.HazardStepServices(),
    files_on_create=_("Photos"),
    example=_step_example,
    example_update=lambda obj: {"note": "已与后勤确认"},
))
