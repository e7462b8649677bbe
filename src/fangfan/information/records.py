"""Record type declarations of information work (SPEC §7): meetings and follow-up tasks
(INF-2), training and publicity (INF-3), the legal-education vice principal, and the
reporting windows with their questions, reopenings and the units' submissions (INF-1)."""
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role
from fangfan.core.privacy import Kind, PersonalData
from fangfan.core.registry import RecordType, register
from fangfan.information import services
from fangfan.information.models import (
    FollowUpTask,
    LegalVicePrincipal,
    Meeting,
    MeetingAttendee,
    ReportField,
    ReportingWindow,
    Submission,
    SubmissionValue,
    TrainingParticipant,
    TrainingSession,
    WindowReopening,
)
from fangfan.resources.models import Person

# The principal chairs the meetings and the unit's staff read them; the unit's
# administrators keep them (the default).
KEEPERS = {Role.PRINCIPAL: {"view", "add", "change", "export"},
           Role.STAFF: {"view"}, Role.GUARD: {"view"}}
# Authorities open windows and define their forms; the units below read them.
AUTHORITY = {Role.SUPERVISOR: {"view", "add", "change", "delete", "export"},
             Role.PRINCIPAL: {"view"}, Role.STAFF: {"view"}}
# A unit's administrators and principal submit; the authority reads (supervisor's
# default READ).
SUBMITTERS = {Role.PRINCIPAL: {"view", "add", "change", "export"}}


def _person(unit) -> Person:
    return in_unit(Person, unit, {"name": "郭建刚"}, post="分管安全副校长")


def _meeting(unit) -> Meeting:
    return in_unit(Meeting, unit, {"topic": "第四季度反恐怖防范形势分析会"},
                   held_on=date(2026, 10, 15))


def _session(unit) -> TrainingSession:
    return in_unit(TrainingSession, unit, {"topic": "防暴器械使用培训"},
                   held_on=date(2026, 10, 20), hours=2)


def _window(unit) -> ReportingWindow:
    return in_unit(ReportingWindow, unit, {"title": "秋季开学安全工作信息报送"},
                   kind="term_start", opens_on=date(2026, 9, 1), deadline=date(2099, 9, 10))


def _unit_below(unit):
    """A unit under `unit` for a window to be reopened for (made for the example)."""
    from fangfan.core import services
    from fangfan.core.models import Unit

    return unit.children.first() or Unit.objects.filter(code=f"{unit.code}-x").first() \
        or services.create_unit(None, {"parent": unit, "code": f"{unit.code}-x",
                                       "name": f"{unit.name}分校", "kind": "school"})


register(RecordType(
    model=Meeting,
    slug="meetings",
    area="inf",
    list_fields=["held_on", "kind", "topic", "chair", "unit"],
    form_fields=["unit", "kind", "held_on", "topic", "chair", "minutes", "decisions"],
    card_fields=["topic", "held_on", "kind"],
    filter_fields=["kind"],
    search_fields=["topic", "minutes", "decisions"],
    lookups={"chair": "name"},
    roles=KEEPERS,
    children=[("meeting-attendees", "meeting"), ("follow-up-tasks", "meeting")],
    services=services.MeetingServices(),
    quick_action=_("Record a meeting"),
    example=lambda unit: {"unit": unit, "kind": "situation", "held_on": date(2026, 10, 15),
                          "topic": "第四季度反恐怖防范形势分析会"},
    example_update=lambda obj: {"minutes": "通报本季度校园安全形势，部署开学安保工作。"},
))

register(RecordType(
    model=MeetingAttendee,
    slug="meeting-attendees",
    area="inf",
    on_home=False,
    list_fields=["person", "meeting", "unit"],
    form_fields=["unit", "meeting", "person"],
    filter_fields=["meeting"],
    search_fields=["person__name"],
    lookups={"meeting": "topic", "person": "name"},
    roles=KEEPERS,
    example=lambda unit: {"unit": unit, "meeting": _meeting(unit), "person": _person(unit)},
    example_update=lambda obj: {"person": in_unit(Person, obj.unit, {"name": "黄建刚"})},
))

register(RecordType(
    model=FollowUpTask,
    slug="follow-up-tasks",
    area="inf",
    on_home=False,
    list_fields=["what", "owner", "deadline", "closed_on", "meeting", "unit"],
    form_fields=["unit", "meeting", "what", "owner", "deadline", "closed_on",
                 "closing_note"],
    card_fields=["what", "owner", "deadline"],
    filter_fields=["meeting"],
    extra_filters={"open": yes_no_filter(_("Not closed"), lambda: Q(closed_on__isnull=True))},
    search_fields=["what", "closing_note"],
    lookups={"meeting": "topic", "owner": "name"},
    roles=KEEPERS,
    example=lambda unit: {"unit": unit, "meeting": _meeting(unit),
                          "what": "更换南门损坏的监控摄像机", "owner": _person(unit),
                          "deadline": date(2026, 11, 30)},
    example_update=lambda obj: {"what": "更换南门和北门损坏的监控摄像机"},
))

register(RecordType(
    model=TrainingSession,
    slug="training-sessions",
    area="inf",
    list_fields=["held_on", "kind", "topic", "hours", "audience", "unit"],
    form_fields=["unit", "kind", "held_on", "topic", "hours", "trainer", "publicity_form",
                 "audience"],
    card_fields=["topic", "held_on", "hours"],
    filter_fields=["kind"],
    search_fields=["topic", "trainer"],
    roles=KEEPERS,
    applies_when={"publicity_form": ("kind", ["publicity"]),
                  "audience": ("kind", ["publicity"])},
    children=[("session-participants", "session")],
    files_on_create=_("Material (slides, photos, sign-in sheet)"),
    quick_action=_("Record a training session"),
    example=lambda unit: {"unit": unit, "kind": "training", "held_on": date(2026, 10, 20),
                          "topic": "防暴器械使用培训", "hours": 2},
    example_update=lambda obj: {"trainer": "新桥派出所 王警官"},
))

register(RecordType(
    model=TrainingParticipant,
    slug="session-participants",
    area="inf",
    on_home=False,
    list_fields=["person", "session", "unit"],
    form_fields=["unit", "session", "person"],
    filter_fields=["session"],
    search_fields=["person__name"],
    lookups={"session": "topic", "person": "name"},
    roles=KEEPERS,
    example=lambda unit: {"unit": unit, "session": _session(unit), "person": _person(unit)},
    example_update=lambda obj: {"person": in_unit(Person, obj.unit, {"name": "黄建刚"})},
))

register(RecordType(
    model=LegalVicePrincipal,
    slug="legal-vice-principals",
    area="inf",
    on_home=False,
    list_fields=["name", "organisation", "post", "phone", "appointed_on", "ended_on",
                 "unit"],
    form_fields=["unit", "name", "organisation", "post", "phone", "appointed_on",
                 "ended_on"],
    card_fields=["name", "organisation", "appointed_on"],
    search_fields=["name", "organisation"],
    roles=KEEPERS,
    personal_data=PersonalData(
        fields={"phone": Kind.PHONE},
        purpose=_("To reach the school's legal-education vice principal about the "
                  "school's security and legal education."),
        legal_basis=_("Performing the school's statutory duties (PIPL Art. 13(3)); the "
                      "vice principal is appointed to the school.")),
    example=lambda unit: {"unit": unit, "name": "王卫东", "organisation": "新桥派出所",
                          "post": "副所长", "appointed_on": date(2026, 9, 1)},
    example_update=lambda obj: {"post": "所长"},
))

register(RecordType(
    model=ReportingWindow,
    slug="reporting-windows",
    area="inf",
    shared_down=True,
    list_fields=["title", "kind", "opens_on", "deadline", "unit"],
    form_fields=["unit", "kind", "title", "instructions", "opens_on", "deadline"],
    card_fields=["title", "deadline", "kind"],
    filter_fields=["kind"],
    search_fields=["title", "instructions"],
    roles=AUTHORITY,
    quick_action=_("Open a reporting window"),
    quick_action_above=True,
    children=[("report-fields", "window"), ("window-reopenings", "window")],
    example=lambda unit: {"unit": unit, "kind": "term_start", "title": "秋季开学安全工作信息报送",
                          "opens_on": date(2026, 9, 1), "deadline": date(2099, 9, 10)},
    example_update=lambda obj: {"instructions": "请各校如实填报。"},
))

register(RecordType(
    model=ReportField,
    slug="report-fields",
    area="inf",
    on_home=False,
    shared_down=True,
    list_fields=["position", "label", "kind", "fact", "required", "window", "unit"],
    form_fields=["unit", "window", "position", "label", "kind", "options", "fact",
                 "required"],
    filter_fields=["window", "kind"],
    search_fields=["label"],
    lookups={"window": "title"},
    roles=AUTHORITY,
    applies_when={"options": ("kind", ["choice"]), "fact": ("kind", ["number"])},
    example=lambda unit: {"unit": unit, "window": _window(unit), "position": 1,
                          "label": "专职保安员人数", "kind": "number",
                          "fact": "guards_full_time"},
    example_update=lambda obj: {"label": "在岗专职保安员人数"},
))

register(RecordType(
    model=WindowReopening,
    slug="window-reopenings",
    area="inf",
    on_home=False,
    list_fields=["window", "reopened_for", "until", "reason", "unit"],
    form_fields=["unit", "window", "reopened_for", "until", "reason"],
    filter_fields=["window"],
    search_fields=["reason"],
    lookups={"window": "title", "reopened_for": "name"},
    roles={Role.SUPERVISOR: {"view", "add", "change", "delete", "export"}},
    example=lambda unit: {"unit": unit, "window": _window(unit),
                          "reopened_for": _unit_below(unit),
                          "until": date(2099, 9, 20), "reason": "系统故障未能按时填报"},
    example_update=lambda obj: {"reason": "学校停电未能按时填报"},
))

register(RecordType(
    model=Submission,
    slug="submissions",
    area="inf",
    on_home=False,
    list_fields=["window", "submitted_at", "submitted_by", "unit"],
    form_fields=["unit", "window", "note"],
    detail_fields=["unit", "window", "submitted_at", "submitted_by", "note"],
    card_fields=["window", "submitted_at", "submitted_by"],
    filter_fields=["window"],
    search_fields=["note"],
    lookups={"window": "title"},
    roles=SUBMITTERS,
    services=services.SubmissionServices(),
    children=[("submission-answers", "submission")],
    example=lambda unit: {"unit": unit, "window": _window(unit.parent or unit)},
    example_update=lambda obj: {"note": "数据已核实"},
))

register(RecordType(
    model=SubmissionValue,
    slug="submission-answers",
    area="inf",
    on_home=False,
    list_fields=["field", "number", "text", "unit"],
    form_fields=["unit", "submission", "field", "number", "text"],
    filter_fields=["submission"],
    search_fields=["text"],
    roles=SUBMITTERS,
    example=lambda unit: {"unit": unit, "submission": in_unit(
        Submission, unit, {"window": _window(unit.parent or unit)}),
        "field": in_unit(ReportField, unit.parent or unit,
                         {"window": _window(unit.parent or unit), "position": 9},
                         label="情况说明", kind="text", required=False),
        "text": "无异常"},
    example_update=lambda obj: {"text": "本期无异常情况"},
))
