"""The home-page work of what authorities publish and of the risk register: notices from
above not read yet, sensitive periods (coming within a week, or under way) with what
they require, and risks due for review. Imported from the app's ready()."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.models import PATH_WIDTH, Unit
from fangfan.core.work import SOURCE_LIMIT, TODAY, WorkContext, WorkItem, source
from fangfan.inspections.models import Inspection, InspectionKind
from fangfan.inspections.notices import (
    PERIOD_LEAD,
    Notice,
    NoticeReceipt,
    SensitivePeriod,
)

# A notice stays on the home page, unread, this long after it was published (a person
# who joins later is not greeted by years of bulletins; the notices list keeps them all).
NOTICE_DAYS = dt.timedelta(days=30)


def above(paths: list[str]) -> set[str]:
    """The paths of the units strictly above the given ones."""
    return {p[:i * PATH_WIDTH] for p in paths for i in range(1, len(p) // PATH_WIDTH)}


@source
def unread_notices(ctx: WorkContext) -> Iterator[WorkItem]:
    """Notices published above the units in focus that the user has not opened. Only
    notices of units above the user's own roles count: opening one records a receipt
    (NoticeServices.on_view), which takes it off."""
    rt = registry.get("notices")
    own = [path for _role, path in permissions.grants(ctx.user)]
    publishers = above(ctx.paths) & above(own)
    if not publishers or not permissions.allowed(ctx.user, "view", rt):
        return
    read = NoticeReceipt.objects.filter(notice=OuterRef("pk"), user=ctx.user)
    notices = (Notice.objects.filter(permissions.restrict(ctx.user, "view", rt),
                                     unit_path__in=sorted(publishers),
                                     published_on__gte=ctx.today - NOTICE_DAYS)
               .exclude(Exists(read)).select_related("unit")
               .order_by("-published_on", "-pk")[:SOURCE_LIMIT])
    for notice in notices:
        yield WorkItem(title=notice.title, url=notice.get_absolute_url(), action=_("Read"),
                       unit=notice.unit.name, bucket=TODAY,
                       detail=_("Notice of %(date)s") % {"date": notice.published_on})


@source
def sensitive_periods(ctx: WorkContext) -> Iterator[WorkItem]:
    """Each period declared above a unit in focus, from a week before it starts to its
    end: start the special inspection (until one of the unit falls within the period or
    the week before it), arrange leaders on duty (a reminder until the duty roster takes
    it over), or, for those who do neither, that the period is on."""
    rt = registry.get("sensitive-periods")
    declared = above(ctx.paths)
    if not declared or not permissions.allowed(ctx.user, "view", rt):
        return
    periods = list(SensitivePeriod.objects.filter(
        permissions.restrict(ctx.user, "view", rt), unit_path__in=sorted(declared),
        ends_on__gte=ctx.today, starts_on__lte=ctx.today + PERIOD_LEAD)
        .select_related("unit").order_by("starts_on", "pk")[:SOURCE_LIMIT])
    if not periods:
        return
    units = list(Unit.objects.filter(path__in=ctx.paths).order_by("path"))
    specials = list(Inspection.objects.filter(
        unit__in=units, kind=InspectionKind.SPECIAL,
        inspected_on__gte=min(p.starts_on for p in periods) - PERIOD_LEAD,
        inspected_on__lte=max(p.ends_on for p in periods)).values_list("unit_id",
                                                                       "inspected_on"))
    inspections = registry.get("inspections")
    add_url = reverse(inspections.add_url_name)
    for period in periods:
        dates = _("%(start)s to %(end)s, declared by %(unit)s") % {
            "start": period.starts_on, "end": period.ends_on, "unit": period.unit.name}
        for unit in units:
            if not unit.path.startswith(period.unit_path) or unit.path == period.unit_path:
                continue
            acts = permissions.allowed(ctx.user, "add", inspections, unit.path)
            shown = False
            done = any(uid == unit.pk and period.starts_on - PERIOD_LEAD <= day
                       <= period.ends_on for uid, day in specials)
            # An authority's own page shows the reminder, not an inspection of itself.
            if period.special_inspection and acts and not ctx.own and not done:
                query = urlencode({"unit": unit.pk, "kind": InspectionKind.SPECIAL})
                yield WorkItem(
                    title=_("Special inspection for %(period)s") % {"period": period.name},
                    detail=dates, url=f"{add_url}?{query}",
                    action=_("Start the special inspection"), unit=unit.name,
                    due=period.starts_on)
                shown = True
            if period.leaders_on_duty and acts:
                yield WorkItem(
                    title=_("Arrange leaders on duty for %(period)s") % {
                        "period": period.name},
                    detail=dates, url=period.get_absolute_url(), action=_("Open"),
                    unit=unit.name, due=max(period.starts_on, ctx.today))
                shown = True
            if not shown:
                yield WorkItem(
                    title=_("Sensitive period: %(period)s") % {"period": period.name},
                    detail=dates, url=period.get_absolute_url(), action=_("Open"),
                    unit=unit.name, due=max(period.starts_on, ctx.today))


@source
def risks_to_review(ctx: WorkContext) -> Iterator[WorkItem]:
    for risk in ctx.due("risks", "review_on", "location"):
        yield ctx.item("risks", risk, _("Review the risk"), title=risk.risk,
                       detail=risk.get_level_display(), due=risk.review_on)
