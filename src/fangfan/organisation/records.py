"""Record type declarations of the organisation area (SPEC §1)."""
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role
from fangfan.core.registry import Action, RecordType, register
from fangfan.organisation.models import (
    Body,
    Case,
    CaseLink,
    Letter,
    LetterCampaign,
    Liaison,
    Membership,
    RuleDocument,
    SupportUnit,
)
from fangfan.organisation.services import RuleServices
from fangfan.resources.models import Person


def _person(unit, name: str = "王晓明") -> Person:
    return in_unit(Person, unit, {"name": name})


def _body(unit) -> Body:
    return in_unit(Body, unit, {"name": "反恐怖防范领导小组"}, kind="leadership_group")


def _campaign(unit) -> LetterCampaign:
    return in_unit(LetterCampaign, unit, {"title": "反恐怖防范目标责任书"}, year=2026,
                   issued_on=date(2026, 9, 1), deadline=date(2026, 9, 30))


def _case(unit) -> Case:
    return in_unit(Case, unit, {"title": "反恐怖防范工作先进个人"}, kind="reward",
                   ground="outstanding_work", decided_on=date(2026, 7, 1),
                   person=_person(unit))


# Everyone at a unit needs to know who leads and whom to call.
READ_FOR_ALL = {Role.GUARD: {"view"}, Role.STAFF: {"view"}}

register(RecordType(
    model=Body,
    slug="bodies",
    area="org",
    list_fields=["name", "kind", "seat", "unit"],
    form_fields=["unit", "kind", "name", "seat", "duties", "areas"],
    filter_fields=["kind"],
    search_fields=["name", "seat", "duties"],
    roles=READ_FOR_ALL,
    children=[("body-members", "body")],
    example=lambda unit: {"unit": unit, "kind": "office", "name": "反恐怖防范办公室",
                          "seat": "后勤保障中心", "duties": "负责日常协调"},
))

register(RecordType(
    model=Membership,
    slug="body-members",
    on_home=False,
    area="org",
    list_fields=["person", "body", "role", "note", "unit"],
    form_fields=["unit", "body", "person", "role", "note"],
    filter_fields=["body", "role"],
    search_fields=["person__name", "note"],
    lookups={"body": "name", "person": "name"},
    roles=READ_FOR_ALL,
    example=lambda unit: {"unit": unit, "body": _body(unit), "person": _person(unit),
                          "role": "member"},
    example_update=lambda obj: {"role": "deputy_leader", "note": "分管安全"},
))

register(RecordType(
    model=SupportUnit,
    slug="support-units",
    on_home=False,
    area="org",
    list_fields=["name", "kind", "phone", "distance_km", "unit"],
    form_fields=["unit", "name", "kind", "phone", "distance_km", "notes"],
    filter_fields=["kind"],
    search_fields=["name", "notes"],
    roles=READ_FOR_ALL,
    example=lambda unit: {"unit": unit, "name": "新桥派出所", "kind": "police",
                          "phone": "13800009999", "distance_km": "2.5"},
))

register(RecordType(
    model=Liaison,
    slug="liaisons",
    on_home=False,
    area="org",
    list_fields=["person", "department", "unit"],
    form_fields=["unit", "person", "department", "duties"],
    filter_fields=["department"],
    search_fields=["person__name", "department"],
    lookups={"person": "name"},
    example=lambda unit: {"unit": unit, "person": _person(unit, "李联络"), "department": "",
                          "duties": "每周报送信息"},
    example_update=lambda obj: {"department": "德育处"},
))


def _late_letter() -> Q:
    return Q(signed_on__isnull=True, campaign__deadline__lt=timezone.localdate())


register(RecordType(
    model=LetterCampaign,
    slug="letter-campaigns",
    area="org",
    list_fields=["title", "year", "issued_on", "deadline", "unit"],
    card_fields=["title", "year", "deadline"],
    form_fields=["unit", "year", "title", "issued_on", "deadline", "notes"],
    filter_fields=["year"],
    search_fields=["title", "notes"],
    children=[("letters", "campaign")],
    example=lambda unit: {"unit": unit, "year": 2026, "title": "反恐怖防范目标责任书",
                          "issued_on": date(2026, 9, 1), "deadline": date(2026, 9, 30)},
    example_update=lambda obj: {"title": "反恐怖防范责任书"},
))

register(RecordType(
    model=Letter,
    slug="letters",
    on_home=False,
    area="org",
    list_fields=["signer", "campaign", "department", "issued_on", "signed_on", "unit"],
    card_fields=["signer", "campaign", "signed_on"],
    form_fields=["unit", "campaign", "department", "signer", "issued_on", "signed_on"],
    filter_fields=["campaign"],
    extra_filters={
        "signed": yes_no_filter(_("Signed"), lambda: Q(signed_on__isnull=False)),
        "overdue": yes_no_filter(_("Unsigned after the deadline"), _late_letter)},
    search_fields=["signer__name"],
    lookups={"campaign": "title", "department": "name", "signer": "name"},
    # The principal signs for the unit: they record the signature and attach the scan.
    roles={Role.PRINCIPAL: {"view", "change", "export"}},
    example=lambda unit: {"unit": unit, "campaign": _campaign(unit), "signer": _person(unit),
                          "issued_on": date(2026, 9, 1)},
    example_update=lambda obj: {"signed_on": date(2026, 9, 10)},
))


register(RecordType(
    model=Case,
    slug="cases",
    area="org",
    list_fields=["title", "kind", "ground", "decided_on", "unit"],
    form_fields=["unit", "kind", "ground", "title", "decided_on", "person", "department",
                 "description", "outcome"],
    filter_fields=["kind", "ground"],
    search_fields=["title", "description", "outcome"],
    lookups={"person": "name", "department": "name"},
    children=[("case-links", "case")],
    example=lambda unit: {"unit": unit, "kind": "accountability", "ground": "absent_from_post",
                          "title": "夜班脱岗", "decided_on": date(2026, 10, 8),
                          "person": _person(unit), "outcome": "通报批评"},
    example_update=lambda obj: {"outcome": "书面检查"},
))

register(RecordType(
    model=CaseLink,
    slug="case-links",
    area="org",
    on_home=False,
    list_fields=["record_type", "label", "note", "unit"],
    form_fields=["unit", "case", "record_type", "record_id", "note"],
    detail_fields=["unit", "case", "record_type", "record_id", "label", "note"],
    filter_fields=["case", "record_type"],
    search_fields=["label", "note"],
    lookups={"case": "title"},
    example=lambda unit: {"unit": unit, "case": _case(unit), "record_type": "people",
                          "record_id": _person(unit).pk},
    example_update=lambda obj: {"note": "事发当晚值班表"},
))


def _principal(unit) -> Person:
    return _person(unit, "张校长")


def _rule_in_force() -> Q:
    return Q(approved_on__isnull=False, superseded_on__isnull=True)


register(RecordType(
    model=RuleDocument,
    slug="rules",
    area="org",
    list_fields=["title", "kind", "version", "approved_on", "review_due", "superseded_on",
                 "unit"],
    card_fields=["title", "version", "review_due"],
    form_fields=["unit", "kind", "title", "supersedes", "approved_on", "approved_by",
                 "review_due", "notes"],
    detail_fields=["unit", "kind", "title", "version", "supersedes", "approved_on",
                   "approved_by", "review_due", "superseded_on", "notes"],
    filter_fields=["kind"],
    extra_filters={
        "in_force": yes_no_filter(_("In force"), _rule_in_force),
        "review_overdue": yes_no_filter(_("Review overdue"), lambda: _rule_in_force() & Q(
            review_due__lt=timezone.localdate()))},
    search_fields=["title", "notes"],
    lookups={"supersedes": "title", "approved_by": "name"},
    # Everyone at the unit works by its rules; the administrators keep them.
    roles=READ_FOR_ALL,
    files_on_create=_("The approved document"),
    actions=[Action("rules", "supersedes", _("New version"),
                    prefill={"kind": lambda r: r.kind, "title": lambda r: r.title},
                    when=lambda r: r.in_force)],
    services=RuleServices(),
    example=lambda unit: {"unit": unit, "kind": "visitor", "title": "门卫及来访人员登记制度",
                          "approved_on": date(2026, 3, 1), "approved_by": _principal(unit),
                          "review_due": date(2027, 3, 1)},
    example_update=lambda obj: {"notes": "增加访客预约核实要求"},
))
