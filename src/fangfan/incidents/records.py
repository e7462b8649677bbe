"""Record type declarations of incidents (SPEC EMG-4)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role
from fangfan.core.registry import Action, OwnRows, RecordType, register
from fangfan.incidents import services
from fangfan.incidents.models import (
    AlarmDevice,
    AlarmRefusal,
    ExternalReport,
    Incident,
    IncidentEvent,
    IncidentStatus,
    IncidentTask,
    ReportingLimit,
    Statement,
    SuspicionStatus,
    SuspiciousReport,
)
from fangfan.organisation.models import Body
from fangfan.resources.models import Person

READ = {"view", "export"}
HANDLE = {"view", "add", "change", "export"}
# The unit's leaders handle an incident; anyone at the unit reports one (and what they
# see happen or report to 110); an incident's record is kept, never deleted.
LEADERS = {Role.SYSTEM_ADMIN: HANDLE, Role.UNIT_ADMIN: HANDLE, Role.PRINCIPAL: HANDLE}
ON_SCENE = {**LEADERS, Role.GUARD: {"view", "add"}, Role.STAFF: {"view", "add"}}
SHANGHAI = ZoneInfo("Asia/Shanghai")
EXAMPLE_AT = dt.datetime(2026, 11, 2, 7, 40, tzinfo=SHANGHAI)


def _incident(unit) -> Incident:
    return in_unit(Incident, unit, {"title": "校门口一男子持刀欲闯入"}, severity="major",
                   occurred_at=EXAMPLE_AT)


def _not_reported_in_time() -> Q:
    """An external report after the limit, or none yet and the limit passed."""
    reports = ExternalReport.objects.filter(incident=OuterRef("pk"))
    return Q(Exists(reports.filter(late=True))) | Q(
        ~Exists(reports), report_by__lt=timezone.now())


register(RecordType(
    model=Incident,
    slug="incidents",
    area="emg",
    list_fields=["title", "severity", "occurred_at", "status", "location", "report_by",
                 "unit"],
    form_fields=["unit", "title", "location", "severity", "occurred_at", "description",
                 "status", "aftermath", "lessons"],
    detail_fields=["unit", "title", "location", "severity", "occurred_at", "description",
                   "source", "device", "reported_by", "report_by", "status", "aftermath",
                   "lessons", "closed_at"],
    card_fields=["title", "occurred_at", "severity"],
    filter_fields=["status", "severity"],
    extra_filters={
        "open": yes_no_filter(_("Being handled"), lambda: Q(status=IncidentStatus.OPEN)),
        "late": yes_no_filter(_("Not reported in time"), _not_reported_in_time),
    },
    search_fields=["title", "description"],
    lookups={"location": "name"},
    roles=ON_SCENE,
    children=[("incident-events", "incident"), ("incident-tasks", "incident"),
              ("incident-reports", "incident"), ("statements", "incident")],
    actions=[
        Action("incident-events", "incident", _("Add to the timeline"),
               when=lambda i: i.is_open),
        Action("incident-reports", "incident", _("Record a report"),
               when=lambda i: i.is_open),
        Action("statements", "incident", _("Draft a public statement")),
    ],
    services=services.IncidentServices(),
    quick_action=_("Report an incident"),
    quick_action_urgent=True,
    files_on_create=_("Photos"),
    managed_fields=("status", "aftermath", "lessons"),
    example=lambda unit: {"unit": unit, "title": "校门口一男子持刀欲闯入", "severity": "major",
                          "occurred_at": EXAMPLE_AT},
    example_update=lambda obj: {"description": "保安在南门用钢叉将其控制，民警到场带走"},
))

register(RecordType(
    model=IncidentEvent,
    slug="incident-events",
    area="emg",
    on_home=False,
    list_fields=["what", "at", "by", "incident", "unit"],
    form_fields=["unit", "incident", "at", "what"],
    detail_fields=["unit", "incident", "at", "what", "by"],
    card_fields=["what", "at", "incident"],
    search_fields=["what"],
    roles=ON_SCENE,
    services=services.EventServices(),
    example=lambda unit: {"unit": unit, "incident": _incident(unit),
                          "at": EXAMPLE_AT + dt.timedelta(minutes=8),
                          "what": "三井派出所民警到场"},
    example_update=lambda obj: {"what": obj.what + "，将嫌疑人带走"},
))

register(RecordType(
    model=IncidentTask,
    slug="incident-tasks",
    area="emg",
    on_home=False,
    list_fields=["group", "task", "done", "done_at", "note", "incident", "unit"],
    form_fields=["unit", "incident", "group", "task", "done", "note"],
    detail_fields=["unit", "incident", "group", "task", "done", "done_at", "note"],
    card_fields=["group", "task", "done_at"],
    filter_fields=["done"],
    search_fields=["task", "note"],
    lookups={"group": "name"},
    roles={**LEADERS, Role.STAFF: {"view", "change"}, Role.GUARD: {"view"}},
    services=services.TaskServices(),
    example=lambda unit: {"unit": unit, "incident": _incident(unit),
                          "group": in_unit(Body, unit, {"name": "秩序维护组"},
                                           kind="order_group"),
                          "task": "封锁现场，疏散人群"},
    example_update=lambda obj: {"done": True, "note": "南门已封闭"},
))

register(RecordType(
    model=ExternalReport,
    slug="incident-reports",
    area="emg",
    on_home=False,
    list_fields=["recipient", "reported_at", "late", "reported_by", "reference", "incident",
                 "unit"],
    form_fields=["unit", "incident", "recipient", "reported_at", "reported_by",
                 "reference"],
    detail_fields=["unit", "incident", "recipient", "reported_at", "reported_by",
                   "reference", "late", "limit_minutes"],
    card_fields=["recipient", "reported_at", "late"],
    filter_fields=["recipient", "late"],
    search_fields=["reported_by", "reference"],
    roles=ON_SCENE,
    services=services.ReportServices(),
    example=lambda unit: {"unit": unit, "incident": _incident(unit), "recipient": "police",
                          "reported_at": EXAMPLE_AT + dt.timedelta(minutes=2),
                          "reported_by": "黄建刚"},
    example_update=lambda obj: {"reference": "接警单 20261102-0031"},
))

register(RecordType(
    model=Statement,
    slug="statements",
    area="emg",
    on_home=False,
    list_fields=["text", "spokesperson", "approved", "released_at", "incident", "unit"],
    form_fields=["unit", "incident", "spokesperson", "text", "approved", "released_at"],
    detail_fields=["unit", "incident", "spokesperson", "text", "approved", "approved_by",
                   "approved_at", "released_at"],
    card_fields=["text", "spokesperson", "released_at"],
    filter_fields=["approved"],
    search_fields=["text"],
    lookups={"spokesperson": "name"},
    roles={**LEADERS, Role.STAFF: {"view"}},
    services=services.StatementServices(),
    example=lambda unit: {"unit": unit, "incident": _incident(unit),
                          "spokesperson": in_unit(Person, unit, {"name": "王晓明"}),
                          "text": "今晨一名男子持刀欲进入校园，被我校保安当即制止，无人员受伤。"},
    example_update=lambda obj: {"text": obj.text + "警方已依法处置。"},
))

register(RecordType(
    model=AlarmDevice,
    slug="alarm-devices",
    area="emg",
    on_home=False,
    list_fields=["name", "location", "active", "unit"],
    form_fields=["unit", "name", "location", "secret", "active"],
    detail_fields=["unit", "name", "location", "active"],
    import_fields=["unit", "name", "location", "active"],
    card_fields=["name", "location", "unit"],
    filter_fields=["active"],
    search_fields=["name"],
    lookups={"location": "name"},
    example=lambda unit: {"unit": unit, "name": "南门一键报警", "secret": "k" * 40},
))

register(RecordType(
    model=AlarmRefusal,
    slug="alarm-refusals",
    area="emg",
    on_home=False,
    list_fields=["device", "at", "reason", "address", "unit"],
    form_fields=["unit", "device", "at", "reason", "address"],
    card_fields=["device", "at", "address"],
    status_field="reason",
    filter_fields=["reason", "device"],
    search_fields=["address"],
    # Written by the webhook alone; read by those who look after the devices.
    roles={Role.SYSTEM_ADMIN: READ, Role.UNIT_ADMIN: READ},
    example=lambda unit: {"unit": unit, "reason": "signature", "address": "203.0.113.7",
                          "device": in_unit(AlarmDevice, unit, {"name": "南门一键报警"},
                                            secret="k" * 40)},
    example_update=lambda obj: {"address": "203.0.113.8"},
))

register(RecordType(
    model=ReportingLimit,
    slug="reporting-limits",
    area="emg",
    on_home=False,
    shared_down=True,
    list_fields=["unit", "general_minutes", "major_minutes", "basis"],
    form_fields=["unit", "general_minutes", "major_minutes", "basis"],
    card_fields=["unit", "general_minutes", "major_minutes"],
    search_fields=["basis"],
    roles={Role.SUPERVISOR: {"view", "add", "change", "delete", "export"}},
    example=lambda unit: {"unit": unit, "general_minutes": 120, "major_minutes": 60,
                          "basis": "学校突发事件报告制度"},
    example_update=lambda obj: {"major_minutes": 30},
))


def _hazard_description(report: SuspiciousReport) -> str:
    seen = timezone.localtime(report.reported_at)
    parts = [report.what, report.person_description,
             str(_("From the suspicious report of %(when)s.") % {
                 "when": f"{seen:%Y-%m-%d %H:%M}"})]
    return "\n".join(p for p in parts if p)


def _reporter(report: SuspiciousReport) -> str:
    if report.reporter_id:
        return report.reporter.name
    user = report.reported_by
    return (user.get_full_name() or user.username) if user else ""


register(RecordType(
    model=SuspiciousReport,
    slug="suspicious-reports",
    area="ops",
    list_fields=["what", "reported_at", "location", "place", "status", "reporter", "unit"],
    form_fields=["unit", "reported_at", "location", "place", "what", "person_description",
                 "status", "assessment"],
    detail_fields=["unit", "reported_at", "location", "place", "what",
                   "person_description", "reporter", "status", "assessment", "assessed_by",
                   "assessed_at", "escalated_at"],
    card_fields=["what", "reported_at", "place"],
    filter_fields=["status"],
    extra_filters={"to_assess": yes_no_filter(
        _("To assess"), lambda: Q(status=SuspicionStatus.NEW))},
    search_fields=["what", "place", "person_description", "assessment"],
    lookups={"location": "name"},
    # Everyone at the unit reports; the guards see the unit's reports so that the gate
    # knows whom to look out for; staff (teachers) see only the reports they filed; the
    # leaders assess them all (docs/incidents.md).
    roles=ON_SCENE,
    own_rows=OwnRows("reported_by", frozenset({Role.STAFF})),
    services=services.SuspicionServices(),
    quick_action=_("Report something suspicious"),
    files_on_create=_("Photos"),
    managed_fields=("status", "assessment"),
    actions=[
        Action("hazards", "", _("Make it a hazard"), prefill={
            "title": lambda r: r.what[:200], "description": _hazard_description,
            "location": lambda r: r.location_id or "", "source": "report",
            "found_on": lambda r: timezone.localdate(r.reported_at),
            "found_by": _reporter}),
        Action("incidents", "", _("Make it an incident"), prefill={
            "title": lambda r: r.what[:200], "location": lambda r: r.location_id or "",
            "occurred_at": lambda r: timezone.localtime(r.reported_at).strftime(
                "%Y-%m-%d %H:%M"),
            "description": lambda r: r.person_description}),
    ],
    example=lambda unit: {"unit": unit, "reported_at": EXAMPLE_AT,
                          "place": "南门外人行道", "what": "一名陌生男子在校门外徘徊，对着校门拍照",
                          "person_description": "约40岁，黑色夹克，背双肩包"},
    example_update=lambda obj: {"place": "南门外公交站"},
))
