"""The work emergency plans and drills give each day (home pages): plans due for
revision, plans in force a user has not confirmed reading, planned drills due within the
week or overdue, and accounting rounds in progress. The drills the calendar asks for
(R-DRILL) come from the calendar's own source, whose action records a drill
(standards.work).

The obligation calendar's page shows the unit's planned drills and its plans' revision
dates beside the obligations (`@calendar.entries`)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.models import RoleGrant
from fangfan.core.work import (
    SOURCE_LIMIT,
    TODAY,
    WEEK_AHEAD,
    WorkContext,
    WorkItem,
    source,
)
from fangfan.emergency import services
from fangfan.emergency.models import PlanStatus
from fangfan.standards import calendar

# A plan's revision is "due" on the calendar from this many days before its date, as it
# is on the home page (ctx.due looks a month ahead).
REVISION_NOTICE_DAYS = 30

# A plan in force is to be read within a week of its approval.
READ_WITHIN = dt.timedelta(days=7)


@source
def plans_to_revise(ctx: WorkContext) -> Iterator[WorkItem]:
    for plan in ctx.due("emergency-plans", "revise_by", status=PlanStatus.APPROVED):
        yield WorkItem(title=_("Revise the plan: %(title)s") % {"title": plan.title},
                       detail=plan.revision_reason.splitlines()[-1] if plan.revision_reason
                       else "", url=plan.get_absolute_url(), action=_("Revise"),
                       unit=plan.unit.name, due=plan.revise_by)


@source
def plans_to_read(ctx: WorkContext) -> Iterator[WorkItem]:
    """The plans in force of the user's own units that the user has not confirmed
    reading (seed 000 人防②: every member of staff knows the plans)."""
    qs = ctx.scoped("emergency-plans")
    if qs is None:
        return
    mine = RoleGrant.objects.filter(user=ctx.user).values("unit_id")
    for plan in qs.filter(status=PlanStatus.APPROVED, unit_id__in=mine).exclude(
            acknowledgements__user=ctx.user).select_related("unit").order_by(
            "approved_on")[:SOURCE_LIMIT]:
        yield WorkItem(title=_("Read the plan: %(title)s") % {"title": plan.title},
                       url=plan.get_absolute_url(), action=_("Read and confirm"),
                       unit=plan.unit.name, due=plan.approved_on + READ_WITHIN)


@source
def rounds_in_progress(ctx: WorkContext) -> Iterator[WorkItem]:
    qs = ctx.scoped("accounting-rounds")
    if qs is None:
        return
    for rnd in qs.filter(closed_at__isnull=True).select_related("unit").order_by(
            "-started_at")[:SOURCE_LIMIT]:
        yield WorkItem(title=_("Accounting for everyone: %(round)s") % {"round": rnd},
                       url=reverse("accounting-count", args=[rnd.pk]),
                       action=_("Report a count"), unit=rnd.unit.name, bucket=TODAY)


@source
def drills_to_hold(ctx: WorkContext) -> Iterator[WorkItem]:
    """Planned drills not yet held whose day is within the week or has passed: "Record
    as held" opens the drill form prefilled from the plan (its page for those who may
    not record drills)."""
    qs = ctx.scoped("planned-drills")
    if qs is None:
        return
    drills = registry.get("drills")
    for planned in qs.filter(drill__isnull=True,
                             planned_on__lte=ctx.today + WEEK_AHEAD).select_related(
            "unit").order_by("planned_on")[:SOURCE_LIMIT]:
        may_record = permissions.allowed(ctx.user, "add", drills, planned.unit_path)
        yield WorkItem(
            title=_("Hold the planned drill: %(drill)s") % {
                "drill": planned.get_scenario_display()},
            detail=_("Counter-terrorism drill") if planned.counter_terrorism else "",
            url=services.held_url(planned) if may_record else planned.get_absolute_url(),
            action=_("Record as held") if may_record else _("Open"),
            unit=planned.unit.name, due=planned.planned_on)


def _readable(user, slug: str, unit):
    """The unit's own records of a type the user may read (None: not at all)."""
    rt = registry.get(slug)
    if not permissions.allowed(user, "view", rt, unit.path):
        return None
    return rt.model.objects.filter(permissions.restrict(user, "view", rt), unit=unit)


@calendar.entries
def planned_drills(user, unit, start: dt.date, end: dt.date) -> list[calendar.Entry]:
    """The unit's planned drills of the window (held ones done, linked to the drill) and
    the earlier ones not held yet (overdue). One query."""
    from django.db.models import Q

    qs = _readable(user, "planned-drills", unit)
    if qs is None:
        return []
    today = timezone.localdate()
    out = []
    for planned in qs.filter(Q(planned_on__range=(start, end))
                             | Q(planned_on__lt=start, drill__isnull=True)).select_related(
            "drill").order_by("planned_on"):
        held = planned.held_drill
        title = planned.get_scenario_display()
        if planned.counter_terrorism:
            title = _("%(scenario)s (counter-terrorism)") % {"scenario": title}
        out.append(calendar.Entry(
            day=planned.planned_on, title=title, kind=_("Planned drill"),
            url=held.get_absolute_url() if held else planned.get_absolute_url(),
            status=calendar.entry_status(planned.planned_on, today, done=held is not None),
            detail=_("Held on %(date)s") % {"date": held.held_on} if held else planned.note))
    return out


@calendar.entries
def plan_revisions(user, unit, start: dt.date, end: dt.date) -> list[calendar.Entry]:
    """The revision dates of the unit's plans in force up to the window's end (earlier
    ones overdue); a newer approved version ends one. One query."""
    qs = _readable(user, "emergency-plans", unit)
    if qs is None:
        return []
    today = timezone.localdate()
    return [calendar.Entry(
        day=plan.revise_by, title=_("Revise the plan: %(title)s") % {"title": plan.title},
        kind=_("Plan revision"), url=plan.get_absolute_url(),
        status=calendar.entry_status(plan.revise_by, today,
                                     due_within=REVISION_NOTICE_DAYS),
        detail=plan.revision_reason.splitlines()[-1] if plan.revision_reason else "")
        for plan in qs.filter(status=PlanStatus.APPROVED, revise_by__isnull=False,
                              revise_by__lte=end).order_by("revise_by")]
