"""Record type declarations of the duty roster, the handover log and the police
school-guard posts (OPS-1, OPS-3, OPS-6)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.examples import in_unit
from fangfan.core.models import Role
from fangfan.core.registry import RecordType, register
from fangfan.duty.models import Handover, HandoverItem, Post, PostKind, Shift
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
