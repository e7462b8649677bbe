"""The work emergency plans and drills give each day (home pages): plans due for
revision, plans in force a user has not confirmed reading, and accounting rounds in
progress. The drills the calendar asks for (R-DRILL) come from the calendar's own source,
whose action records a drill (standards.work)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from fangfan.core.models import RoleGrant
from fangfan.core.work import SOURCE_LIMIT, TODAY, WorkContext, WorkItem, source
from fangfan.emergency.models import PlanStatus

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
