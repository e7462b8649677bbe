"""Record type declarations of the duty roster, the handover log and the police
school-guard posts (OPS-1, OPS-3, OPS-6)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.models import Role
from fangfan.core.privacy import Kind, PersonalData
from fangfan.core.registry import RecordServices, RecordType, register
from fangfan.duty.models import (
    Handover,
    HandoverItem,
    Post,
    PostKind,
    SchoolGuardPost,
    SchoolGuardSignIn,
    Shift,
)
from fangfan.resources.models import Person

# Everyone at the unit knows who is on duty where (the roster is posted in the duty
# room); the unit's administrator keeps it.
EVERYONE_READS = {Role.GUARD: {"view"}, Role.STAFF: {"view"}}


def _leader_post(unit) -> Post:
    return in_unit(Post, unit, {"name": "带班领导"}, kind=PostKind.LEADER)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


register(RecordType(
    model=Post,
    slug="duty-posts",
    area="ops",
    list_fields=["name", "kind", "location", "coverage", "people_per_shift", "unit"],
    form_fields=["unit", "name", "kind", "location", "coverage", "people_per_shift", "notes"],
    card_fields=["name", "kind", "location"],
    filter_fields=["kind"],
    search_fields=["name"],
    lookups={"location": "name"},
    roles=EVERYONE_READS,
    children=[("shifts", "post")],
    actions=[("shifts", "post", _("Add a shift"))],
    example=lambda unit: {"unit": unit, "name": "南校门岗", "kind": "gate",
                          "people_per_shift": 1},
))

register(RecordType(
    model=Shift,
    slug="shifts",
    area="ops",
    on_home=False,
    list_fields=["starts_at", "ends_at", "post", "person", "note", "unit"],
    form_fields=["unit", "post", "person", "starts_at", "ends_at", "note"],
    card_fields=["person", "post", "starts_at"],
    filter_fields=["post", "person"],
    search_fields=["note"],
    lookups={"post": "name", "person": "name"},
    roles=EVERYONE_READS,
    example=lambda unit: {"unit": unit, "post": _leader_post(unit),
                          "person": in_unit(Person, unit, {"name": "张红梅"}),
                          "starts_at": _at(dt.date(2026, 11, 2), 8),
                          "ends_at": _at(dt.date(2026, 11, 2), 17)},
    example_update=lambda obj: {"note": "替班"},
))

# Guards keep the handover log of their posts; the unit's leaders read it.
GUARDS_WRITE = {Role.GUARD: {"view", "add", "change"}}


def _handover(unit) -> Handover:
    return in_unit(Handover, unit, {"notes": "夜班平稳"},
                   from_person=in_unit(Person, unit, {"name": "王建国"}),
                   to_person=in_unit(Person, unit, {"name": "李卫东"}),
                   handed_over_at=_at(dt.date(2026, 11, 2), 8))


register(RecordType(
    model=Handover,
    slug="handovers",
    area="ops",
    list_fields=["handed_over_at", "post", "from_person", "to_person", "unit"],
    form_fields=["unit", "post", "from_person", "to_person", "handed_over_at", "notes"],
    card_fields=["from_person", "to_person", "handed_over_at"],
    filter_fields=["post"],
    search_fields=["notes"],
    lookups={"post": "name", "from_person": "name", "to_person": "name"},
    roles=GUARDS_WRITE,
    children=[("handover-items", "handover")],
    actions=[("handover-items", "handover", _("Add an open matter"))],
    quick_action=_("Hand over the shift"),
    example=lambda unit: {"unit": unit, "from_person": in_unit(Person, unit,
                                                               {"name": "王建国"}),
                          "to_person": in_unit(Person, unit, {"name": "李卫东"}),
                          "handed_over_at": _at(dt.date(2026, 11, 2), 8),
                          "notes": "夜班平稳"},
))

register(RecordType(
    model=HandoverItem,
    slug="handover-items",
    area="ops",
    on_home=False,
    list_fields=["text", "handover", "closed_at", "closed_note", "unit"],
    form_fields=["unit", "handover", "text", "closed_at", "closed_note"],
    card_fields=["text", "handover", "closed_at"],
    search_fields=["text", "closed_note"],
    roles=GUARDS_WRITE,
    example=lambda unit: {"unit": unit, "handover": _handover(unit),
                          "text": "北门监控画面偶有闪烁，已报修"},
    example_update=lambda obj: {"text": "北门监控画面闪烁，待维修"},
))

# 护学岗 are the police side's: defined by its authority (a supervisor, or a system
# administrator) above the school; the school's own roles read them and sign in.
READ = {"view", "export"}
POLICE_SIDE = {Role.SUPERVISOR: {"view", "add", "change", "delete", "export"},
               Role.UNIT_ADMIN: READ, Role.PRINCIPAL: READ, Role.GUARD: {"view"},
               Role.STAFF: {"view"}}
DEFINING = ("place", "arrival_from", "arrival_until", "dismissal_from", "dismissal_until",
            "duty", "officer_name", "officer_phone", "police_station", "active_from",
            "active_until")


class SignInServices(RecordServices):
    def before_save(self, actor, obj: SchoolGuardSignIn, before) -> None:
        """Who signed in is the signed-in account, never typed."""
        if before is None and actor is not None:
            obj.by = actor


register(RecordType(
    model=SchoolGuardPost,
    slug="school-guard-posts",
    area="ops",
    list_fields=["place", "officer_name", "police_station", "active_from", "active_until",
                 "unit"],
    form_fields=["unit", *DEFINING, "notes"],
    card_fields=["place", "officer_name", "active_from"],
    search_fields=["place", "officer_name", "police_station"],
    roles=POLICE_SIDE,
    decided_above=DEFINING,
    children=[("school-guard-sign-ins", "post")],
    actions=[("school-guard-sign-ins", "post", _("Record a sign-in"))],
    personal_data=PersonalData(
        fields={"officer_phone": Kind.PHONE},
        purpose=_("To reach the officer on the school-guard post at the school's gate."),
        legal_basis=_("Performing statutory duties of school security (PIPL Art. 13(3)); "
                      "the officer's work contact.")),
    example=lambda unit: {"unit": unit, "place": "南校门外人行横道", "duty": "疏导交通，"
                          "巡查校门周边可疑人员车辆", "officer_name": "陈警官",
                          "police_station": "新桥派出所", "active_from": dt.date(2026, 9, 1)},
    example_update=lambda obj: {"notes": "雨天移至门卫室旁"},
))

register(RecordType(
    model=SchoolGuardSignIn,
    slug="school-guard-sign-ins",
    area="ops",
    on_home=False,
    list_fields=["date", "session", "post", "signed_at", "by", "note", "unit"],
    form_fields=["unit", "post", "date", "session", "signed_at", "note"],
    card_fields=["post", "date", "session"],
    filter_fields=["post", "session"],
    search_fields=["note"],
    lookups={"post": "place"},
    roles={Role.SUPERVISOR: {"view", "add", "export"}, Role.GUARD: {"view", "add"},
           Role.STAFF: {"view"}},
    services=SignInServices(),
    example=lambda unit: {"unit": unit, "post": in_unit(
        SchoolGuardPost, unit, {"place": "南校门外人行横道"}, duty="疏导交通",
        officer_name="陈警官", active_from=dt.date(2026, 9, 1)),
        "date": dt.date(2026, 11, 2), "session": "arrival",
        "signed_at": _at(dt.date(2026, 11, 2), 7)},
    example_update=lambda obj: {"note": "雨天"},
))
