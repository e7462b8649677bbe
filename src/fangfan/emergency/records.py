"""Record type declarations of emergency plans, drills and accounting (SPEC §6)."""
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role
from fangfan.core.registry import Action, RecordType, register
from fangfan.emergency import services
from fangfan.emergency.models import (
    AccountingReport,
    AccountingRound,
    Drill,
    EmergencyPlan,
    PlannedDrill,
    PlanStatus,
)

ALL = {"view", "add", "change", "delete", "import", "export"}
READ = {"view", "export"}
KEEPERS = {Role.PRINCIPAL: {"view", "add", "change", "export"}}
# Everyone at the unit reads its plans and sees its drills (人防②: staff know the plan).
EVERYONE_READS = {**KEEPERS, Role.GUARD: {"view"}, Role.STAFF: {"view"}}

PLAN_FIELDS = ["scenario", "title", "command_body", "command", "groups", "first_response",
               "evacuation", "reporting", "aftermath", "revise_by"]


def _new_version(field: str):
    """A field of the plan for the new version's form (a related record by its key)."""
    attname = EmergencyPlan._meta.get_field(field).attname
    return lambda p: "" if getattr(p, attname) is None else getattr(p, attname)


register(RecordType(
    model=EmergencyPlan,
    slug="emergency-plans",
    area="emg",
    list_fields=["title", "scenario", "version", "status", "approved_on", "revise_by",
                 "unit"],
    form_fields=["unit", "previous", *PLAN_FIELDS],
    detail_fields=["unit", "scenario", "title", "version", "status", "previous",
                   "approved_on", "approved_by", "revise_by", "revision_reason",
                   "command_body", "command", "groups", "first_response", "evacuation",
                   "reporting", "aftermath"],
    card_fields=["title", "scenario", "revise_by"],
    filter_fields=["scenario", "status"],
    extra_filters={"in_force": yes_no_filter(_("In force"),
                                             lambda: Q(status=PlanStatus.APPROVED))},
    search_fields=["title", "command", "groups", "first_response"],
    roles=EVERYONE_READS,
    services=services.PlanServices(),
    actions=[Action("emergency-plans", "previous", _("New version"),
                    {name: _new_version(name) for name in PLAN_FIELDS if name != "revise_by"},
                    when=lambda p: p.status == PlanStatus.APPROVED
                    and not EmergencyPlan.objects.filter(previous=p).exists()),
             Action("drills", "plan", _("Record a drill"),
                    {"scenario": lambda p: p.scenario},
                    when=lambda p: p.status == PlanStatus.APPROVED)],
    example=lambda unit: {"unit": unit, "scenario": "knife_attack", "title": "防持刀砍杀应急预案",
                          "command": "校长任总指挥", "first_response": "门卫持钢叉拦截，报警110",
                          "evacuation": "沿东西楼梯疏散至操场", "reporting": "立即报告公安和教育局",
                          "aftermath": "救治伤员，安抚家长", "groups": "秩序维护组：保安"},
    example_update=lambda obj: {"title": obj.title + "（修订）"},
))


def _plan(unit) -> EmergencyPlan:
    return in_unit(EmergencyPlan, unit, {"title": "应急疏散预案"}, scenario="evacuation")


register(RecordType(
    model=PlannedDrill,
    slug="planned-drills",
    area="emg",
    list_fields=["planned_on", "scenario", "counter_terrorism", "plan", "unit"],
    form_fields=["unit", "planned_on", "scenario", "plan", "counter_terrorism", "note"],
    card_fields=["planned_on", "scenario", "counter_terrorism"],
    filter_fields=["scenario", "counter_terrorism"],
    extra_filters={"held": yes_no_filter(_("Held"), lambda: Q(drill__isnull=False))},
    search_fields=["note"],
    lookups={"plan": "title"},
    roles=EVERYONE_READS,
    actions=[Action("drills", "planned", _("Record as held"), services.HELD_PREFILL,
                    when=lambda p: p.held_drill is None)],
    example=lambda unit: {"unit": unit, "planned_on": date(2027, 3, 18),
                          "scenario": "knife_attack", "counter_terrorism": True,
                          "plan": _plan(unit), "note": "第二学期反恐演练"},
    example_update=lambda obj: {"note": "改在体育课后"},
))


register(RecordType(
    model=Drill,
    slug="drills",
    area="emg",
    list_fields=["held_on", "scenario", "counter_terrorism", "participants",
                 "evacuation_seconds", "plan", "unit"],
    form_fields=["unit", "planned", "held_on", "scenario", "plan", "counter_terrorism",
                 "participants",
                 "duration_minutes", "evacuation_seconds", "accounting_minutes", "problems",
                 "summary"],
    card_fields=["held_on", "scenario", "participants"],
    filter_fields=["scenario", "counter_terrorism"],
    search_fields=["problems", "summary"],
    lookups={"plan": "title"},
    roles=EVERYONE_READS,
    services=services.DrillServices(),
    quick_action=_("Record a drill"),
    actions=[Action("accounting-rounds", "drill", _("Account for everyone"),
                    {"reason": "drill"}, when=lambda d: d.held_on == timezone.localdate())],
    example=lambda unit: {"unit": unit, "held_on": date(2026, 10, 15),
                          "scenario": "evacuation", "participants": 640,
                          "evacuation_seconds": 185, "plan": _plan(unit)},
    example_update=lambda obj: {"summary": "疏散有序，用时3分05秒"},
))


register(RecordType(
    model=AccountingRound,
    slug="accounting-rounds",
    area="emg",
    list_fields=["reason", "started_at", "drill", "closed_at", "unit"],
    form_fields=["unit", "started_at", "reason", "drill", "note"],
    detail_fields=["unit", "started_at", "reason", "drill", "note", "closed_at"],
    card_fields=["reason", "started_at", "closed_at"],
    filter_fields=["reason"],
    extra_filters={"in_progress": yes_no_filter(_("In progress"),
                                                lambda: Q(closed_at__isnull=True))},
    search_fields=["note"],
    roles={**KEEPERS, Role.GUARD: {"view", "add"}, Role.STAFF: {"view"}},
    applies_when={"drill": ("reason", ["drill"])},
    services=services.RoundServices(),
    children=[("accounting-reports", "round")],
    example=lambda unit: {"unit": unit, "reason": "drill",
                          "started_at": timezone.make_aware(datetime(2026, 10, 15, 10, 5))},
    example_update=lambda obj: {"note": "全校疏散后清点"},
))


def _round(unit) -> AccountingRound:
    return in_unit(AccountingRound, unit, {"note": "示例清点"}, reason="drill",
                   started_at=timezone.make_aware(datetime(2026, 10, 15, 10, 5)))


register(RecordType(
    model=AccountingReport,
    slug="accounting-reports",
    area="emg",
    on_home=False,
    list_fields=["group_name", "enrolled", "present", "missing", "injured", "reporter",
                 "round", "unit"],
    form_fields=["unit", "round", "group_name", "enrolled", "present", "missing",
                 "injured"],
    detail_fields=["unit", "round", "group_name", "enrolled", "present", "missing",
                   "injured", "reporter", "reported_at"],
    card_fields=["group_name", "present", "missing"],
    search_fields=["group_name"],
    roles={**KEEPERS, Role.GUARD: {"view", "add", "change"},
           Role.STAFF: {"view", "add", "change"}},
    services=services.ReportServices(),
    example=lambda unit: {"unit": unit, "round": _round(unit), "group_name": "三年级二班",
                          "enrolled": 42, "present": 41, "missing": 1, "injured": 0},
    example_update=lambda obj: {"present": obj.present - 1, "missing": obj.missing + 1},
))
