"""The duty roster's part of the home page: the signed-in person's shift today and the
next one, first on their home page (a guard's phone shows it before anything else), and
for those who keep the roster the hours of the coming week that no one holds at a post
held around the clock."""
from __future__ import annotations

from collections.abc import Iterator

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.work import SOURCE_LIMIT, WEEK_AHEAD, WorkContext, WorkItem, panel, source
from fangfan.duty import roster
from fangfan.duty.coverage import gaps
from fangfan.resources.models import person_of

# A post's gaps named in one work item, at most.
GAPS_NAMED = 3


@panel(personal=True)
def my_shifts(request, unit) -> str | None:
    """Today's shift (or the one under way) and the next one of the signed-in person."""
    person = person_of(request.user)
    if person is None:
        return None
    now = timezone.now()
    shifts = roster.my_shifts(person, now, limit=2)
    return render_to_string("duty/my_shifts_panel.html", {
        "shifts": shifts, "now": now, "today": timezone.localdate()}, request=request)


@source
def uncovered_hours(ctx: WorkContext) -> Iterator[WorkItem]:
    """Posts held around the clock with hours of the coming seven days no one holds: one
    item per post, for those who may add shifts there (the unit's administrator)."""
    posts = ctx.scoped("duty-posts")
    shifts_rt = registry.get("shifts")
    if posts is None or not permissions.allowed(ctx.user, "add", shifts_rt):
        return
    start = ctx.now
    end = start + WEEK_AHEAD
    for post in roster.posts_with_shifts(
            posts.filter(roster.around_the_clock()).select_related("unit")
            .order_by("unit_path", "name")[:SOURCE_LIMIT], start, end):
        if not permissions.allowed(ctx.user, "add", shifts_rt, post.unit_path):
            continue
        found = gaps(post, post.window, start, end)
        if not found:
            continue
        named = "; ".join(g.describe() for g in found[:GAPS_NAMED])
        if len(found) > GAPS_NAMED:
            named += _(" and %(n)s more") % {"n": len(found) - GAPS_NAMED}
        yield WorkItem(
            title=_("Post not covered: %(post)s") % {"post": post.name}, detail=named,
            url=f"{reverse('duty-week', args=[post.unit.code])}?post={post.pk}&week="
                f"{roster.monday_of(timezone.localdate(found[0].start)).isoformat()}",
            action=_("Fill the roster"), unit=post.unit.name, due=found[0].start)
