"""Record types of what authorities publish down their subtree and of a unit's risks
(SPEC INS-3, INS-5, STD-4): notices with the units they name, risk templates and the
risk register, sensitive periods; and the rules that follow from who acts (a notice is
announced to the leads below when published, and read receipts are kept when it is
opened). Imported from the app's ready() beside records.py."""
from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangfan.core import notify, permissions
from fangfan.core.examples import in_unit
from fangfan.core.filters import yes_no_filter
from fangfan.core.models import Role, RoleGrant, Unit
from fangfan.core.registry import Action, RecordServices, RecordType, register
from fangfan.core.scoping import subtree_q
from fangfan.inspections import records  # noqa: F401  (the app's main types first in lists)
from fangfan.inspections.notices import (
    Notice,
    NoticeReceipt,
    NoticeUnit,
    Risk,
    RiskTemplate,
    SensitivePeriod,
)

# An authority's people publish; everyone at the units below reads.
PUBLISHERS = {Role.SUPERVISOR: {"view", "add", "change", "delete", "export"},
              Role.GUARD: {"view"}, Role.STAFF: {"view"}}


class NoticeServices(RecordServices):
    def after_save(self, actor, obj: Notice, before: dict[str, Any] | None) -> None:
        if before is None:
            announce(obj)

    def on_view(self, actor, obj: Notice) -> None:
        """A receipt for each unit below the notice's unit where the reader holds a
        role; the first read is kept (a later one changes nothing)."""
        mine = {path for _role, path in permissions.grants(actor)
                if path.startswith(obj.unit_path) and path != obj.unit_path}
        if not mine:
            return
        units = Unit.objects.filter(path__in=mine).values_list("pk", flat=True)
        NoticeReceipt.objects.bulk_create(
            [NoticeReceipt(notice=obj, unit_id=pk, user=actor) for pk in units],
            ignore_conflicts=True)


def announce(notice: Notice) -> int:
    """Tell the administrators and principals of every unit below the notice's unit (in
    their own language, in-app and by e-mail): one query for the people, one send per
    language, whatever the size of the subtree. Returns how many people were told."""
    leads = (RoleGrant.objects.filter(subtree_q("unit__path", [notice.unit_path]),
                                      role__in=notify.LEADS)
             .exclude(unit_id=notice.unit_id).values_list("user_id", "user__language")
             .distinct())
    by_language: dict[str, set[int]] = {}
    for user_id, language in leads:
        by_language.setdefault(language, set()).add(user_id)
    for language, users in sorted(by_language.items()):
        with translation.override(language):
            notify.send(users, _("Notice from %(unit)s: %(title)s") % {
                "unit": notice.unit.name, "title": notice.title},
                notice.body[:2000], notice.get_absolute_url(), unit_path=notice.unit_path)
    return sum(len(users) for users in by_language.values())


def _notice(unit) -> Notice:
    return in_unit(Notice, unit, {"title": "关于秋季学期校园安全督导检查情况的通报"},
                   body="各校：11月对辖区学校开展了督导检查，现将情况通报如下。",
                   published_on=date(2026, 11, 2))


register(RecordType(
    model=Notice,
    slug="notices",
    area="ins",
    shared_down=True,
    list_fields=["published_on", "title", "unit"],
    form_fields=["unit", "title", "body", "published_on"],
    card_fields=["title", "published_on", "unit"],
    search_fields=["title", "body"],
    roles=PUBLISHERS,
    children=[("notice-units", "notice")],
    services=NoticeServices(),
    files_on_create=gettext_lazy("Attachments"),
    example=lambda unit: {"unit": unit, "title": "关于秋季学期校园安全督导检查情况的通报",
                          "body": "各校：11月对辖区学校开展了督导检查，现将情况通报如下。",
                          "published_on": date(2026, 11, 2)},
    example_update=lambda obj: {"body": obj.body + "请各校对照整改。"},
))

register(RecordType(
    model=NoticeUnit,
    slug="notice-units",
    area="ins",
    on_home=False,
    shared_down=True,
    list_fields=["named", "mention", "note", "notice", "unit"],
    form_fields=["unit", "notice", "named", "mention", "note"],
    card_fields=["named", "mention", "note"],
    filter_fields=["mention"],
    search_fields=["note"],
    lookups={"notice": "title"},
    roles=PUBLISHERS,
    example=lambda unit: {"unit": unit, "notice": _notice(unit), "named": unit,
                          "mention": "commended", "note": "门卫值守规范"},
    example_update=lambda obj: {"note": "门卫值守规范，台账齐全"},
))

# The authority's people write templates; the units' people read and use them.
TEMPLATE_ROLES = {Role.SUPERVISOR: {"view", "add", "change", "delete", "export"},
                  Role.STAFF: {"view"}}

register(RecordType(
    model=RiskTemplate,
    slug="risk-templates",
    area="ins",
    on_home=False,
    shared_down=True,
    list_fields=["risk", "likelihood", "impact", "unit"],
    form_fields=["unit", "risk", "likelihood", "impact", "controls"],
    card_fields=["risk", "likelihood", "impact"],
    filter_fields=["likelihood", "impact"],
    search_fields=["risk", "controls"],
    roles=TEMPLATE_ROLES,
    actions=[Action("risks", "template", gettext_lazy("Add to our risks"),
                    prefill={"risk": lambda t: t.risk, "likelihood": lambda t: t.likelihood,
                             "impact": lambda t: t.impact,
                             "controls": lambda t: t.controls},
                    own_unit=True)],
    example=lambda unit: {"unit": unit, "risk": "校外人员持械闯入校园", "likelihood": 2,
                          "impact": 5, "controls": "门卫24小时值守，配齐防卫器械"},
    example_update=lambda obj: {"controls": obj.controls + "；每学期演练一次"},
))

register(RecordType(
    model=Risk,
    slug="risks",
    area="ins",
    list_fields=["risk", "level", "likelihood", "impact", "location", "owner", "review_on",
                 "unit"],
    form_fields=["unit", "template", "risk", "location", "likelihood", "impact",
                 "controls", "owner", "review_on"],
    detail_fields=["unit", "template", "risk", "location", "likelihood", "impact", "level",
                   "controls", "owner", "review_on"],
    card_fields=["risk", "location", "review_on"],
    status_field="level",
    filter_fields=["level", "likelihood", "impact"],
    extra_filters={"review_due": yes_no_filter(gettext_lazy("Due for review"), lambda: Q(
        review_on__lte=timezone.localdate()))},
    search_fields=["risk", "controls"],
    lookups={"template": "risk", "location": "name", "owner": "name"},
    roles={Role.PRINCIPAL: {"view", "add", "change", "export"}, Role.STAFF: {"view"}},
    example=lambda unit: {"unit": unit, "risk": "校外人员持械闯入校园", "likelihood": 2,
                          "impact": 5, "controls": "门卫24小时值守，配齐防卫器械",
                          "review_on": date(2026, 12, 1)},
    example_update=lambda obj: {"controls": obj.controls + "；南门加装防冲撞桩"},
))

register(RecordType(
    model=SensitivePeriod,
    slug="sensitive-periods",
    area="ins",
    on_home=False,
    shared_down=True,
    list_fields=["name", "starts_on", "ends_on", "special_inspection", "leaders_on_duty",
                 "unit"],
    form_fields=["unit", "name", "starts_on", "ends_on", "reason", "special_inspection",
                 "leaders_on_duty"],
    card_fields=["name", "starts_on", "ends_on"],
    filter_fields=["special_inspection", "leaders_on_duty"],
    search_fields=["name", "reason"],
    roles=PUBLISHERS,
    example=lambda unit: {"unit": unit, "name": "2027年春节", "starts_on": date(2027, 2, 5),
                          "ends_on": date(2027, 2, 20), "reason": "春节假期及开学前后",
                          "special_inspection": True, "leaders_on_duty": True},
    example_update=lambda obj: {"reason": "春节假期、元宵节及开学前后"},
))
