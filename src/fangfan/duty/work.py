"""The duty roster's part of the home page: the signed-in person's shift today and the
next one, first on their home page (a guard's phone shows it before anything else), and
for those who keep the roster the hours of the coming week that no one holds at a post
held around the clock; at the 护学岗, a one-tap sign-in for the guard and the sessions of
today whose watch ended without one."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.scoping import subtree_q
from fangfan.core.work import SOURCE_LIMIT, WEEK_AHEAD, WorkContext, WorkItem, panel, source
from fangfan.duty import roster
from fangfan.duty.coverage import gaps
from fangfan.duty.models import SchoolGuardPost, SchoolGuardSignIn, Session
from fangfan.resources.models import person_of
from fangfan.standards import schooldays

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


@panel(personal=True)
def school_guard_sign_in(request, unit) -> str | None:
    """On the home page of those who sign in at the unit's 护学岗 (its guards): today's
    posts in service, each with its sessions signed or a one-tap button for the session
    now."""
    if unit is None:
        return None
    rt = registry.get("school-guard-sign-ins")
    if not permissions.allowed(request.user, "add", rt, unit.path):
        return None
    today, now = timezone.localdate(), timezone.now()
    posts = _active_posts(request.user, [unit.path], today)
    if posts:
        school_day = schooldays.checker(today)
        posts = [p for p in posts if school_day(p.unit_path)]
    if not posts:
        return None
    rows = [{"post": p, "signed": {s.session: s for s in p.today},
             "session": p.session_at(now)} for p in posts]
    return render_to_string("duty/sign_in_panel.html", {"rows": rows, "Session": Session},
                            request=request)


def _active_posts(user, paths: list[str], today: dt.date) -> list[SchoolGuardPost]:
    """The 护学岗 in service today the user sees under `paths`, with today's sign-ins
    (`post.today`), in two queries."""
    rt = registry.get("school-guard-posts")
    if not permissions.allowed(user, "view", rt):
        return []
    return list(SchoolGuardPost.objects.filter(
        permissions.restrict(user, "view", rt), subtree_q("unit_path", paths),
        active_from__lte=today).filter(Q(active_until__isnull=True)
                                       | Q(active_until__gte=today))
        .select_related("unit").prefetch_related(Prefetch(
            "sign_ins", queryset=SchoolGuardSignIn.objects.filter(date=today),
            to_attr="today")).order_by("unit_path", "place")[:SOURCE_LIMIT])


@source
def missing_sign_ins(ctx: WorkContext) -> Iterator[WorkItem]:
    """A session of today whose watch has ended without a sign-in at a post in service,
    on a school day of the post's unit (its terms and calendar days): work for those who
    sign in there and those who keep the unit."""
    rt = registry.get("school-guard-sign-ins")
    if not permissions.allowed(ctx.user, "add", rt):
        return
    now = timezone.localtime(ctx.now)
    posts = _active_posts(ctx.user, ctx.paths, ctx.today)
    school_day = schooldays.checker(ctx.today) if posts else None
    for post in posts:
        if not (permissions.allowed(ctx.user, "add", rt, post.unit_path)
                and school_day(post.unit_path)):
            continue
        signed = {s.session for s in post.today}
        for session in Session:
            until = post.window(session)[1]
            if session in signed or now.time() < until:
                continue
            yield WorkItem(
                title=_("No sign-in at the school-guard post %(post)s: %(session)s") % {
                    "post": post.place, "session": session.label},
                detail=_("The watch ended at %(time)s.") % {"time": until.strftime("%H:%M")},
                url=post.get_absolute_url(), action=_("Open"), unit=post.unit.name,
                due=timezone.make_aware(dt.datetime.combine(ctx.today, until)))
