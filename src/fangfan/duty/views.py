"""Pages of the duty roster beyond the record pages: a unit's week (or day) timeline per
post with its coverage gaps, copying a week to the next, the leader-on-duty roster and
"My shifts"; the handover log's closing of an item; the one-tap sign-in at a 护学岗."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangfan.core import permissions, registry, services
from fangfan.core.models import Unit
from fangfan.core.views.home import next_url
from fangfan.core.views.records import refusal_text, visible_record
from fangfan.duty import roster
from fangfan.duty.models import Post, SchoolGuardSignIn, Session
from fangfan.resources.models import person_of


def _unit(request, code: str, action: str = "view") -> Unit:
    """A unit whose roster the user may read (404 otherwise, no existence leak)."""
    unit = get_object_or_404(Unit, code=code)
    if not permissions.allowed(request.user, "view", registry.get("shifts"), unit.path):
        raise Http404
    if action != "view" and not permissions.allowed(request.user, action,
                                                    registry.get("shifts"), unit.path):
        raise PermissionDenied
    return unit


def _monday(request) -> dt.date:
    day = parse_date(request.GET.get("week", "") or request.POST.get("week", "")) \
        if (request.GET.get("week") or request.POST.get("week")) else None
    return roster.monday_of(day or timezone.localdate())


def _posts(request, unit: Unit):
    rt = registry.get("duty-posts")
    qs = Post.objects.filter(permissions.restrict(request.user, "view", rt), unit=unit)
    post = request.GET.get("post") or request.POST.get("post")
    if post and post.isdigit():
        qs = qs.filter(pk=post)
    return qs.order_by("name")


@login_required
def week(request, code: str):
    """The unit's posts over a week (or one day with `?day=`): a bar per shift, each gap
    of a post held around the clock in red and listed in words."""
    unit = _unit(request, code)
    monday = _monday(request)
    day = parse_date(request.GET.get("day", "")) if request.GET.get("day") else None
    days = [day] if day else [monday + dt.timedelta(days=i) for i in range(7)]
    start, end = roster.day_bounds(days[0])[0], roster.day_bounds(days[-1])[1]
    rows = roster.timeline(roster.posts_with_shifts(_posts(request, unit), start, end), days)
    return render(request, "duty/week.html", {
        "unit": unit, "monday": monday, "days": days, "day": day, "rows": rows,
        "post": request.GET.get("post", ""),
        "previous": monday - roster.WEEK, "next": monday + roster.WEEK,
        "hours": range(0, 24, 6),
        "may_copy": permissions.allowed(request.user, "add", registry.get("shifts"),
                                        unit.path)})


@login_required
@require_POST
def copy_week(request, code: str):
    unit = _unit(request, code, "add")
    monday = _monday(request)
    post = request.POST.get("post", "")
    try:
        made = roster.copy_week(request.user, unit, monday,
                                _posts(request, unit) if post else None)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("Nothing was copied: %(conflicts)s") % {
            "conflicts": refusal_text(exc)})
        target = monday
    else:
        messages.success(request, _("Shifts copied to the next week: %(n)s.") % {
            "n": len(made)})
        target = monday + roster.WEEK
    url = f"{reverse('duty-week', args=[unit.code])}?week={target.isoformat()}"
    return redirect(f"{url}&post={post}" if post else url)


@login_required
def leaders(request, code: str):
    """The leader-on-duty roster (带班领导) of the week, with the sensitive periods
    declared above that ask for leaders on duty and their days still without one."""
    unit = _unit(request, code)
    monday = _monday(request)
    shifts = list(roster.leader_shifts(request.user, unit, monday))
    return render(request, "duty/leaders.html", {
        "unit": unit, "monday": monday, "previous": monday - roster.WEEK,
        "next": monday + roster.WEEK, "shifts": shifts,
        "periods": roster.sensitive_days(request.user, unit, monday, shifts)})


@login_required
def mine(request):
    """The signed-in person's shift under way and those to come."""
    person = person_of(request.user)
    return render(request, "duty/mine.html", {
        "person": person, "shifts": roster.my_shifts(person, timezone.now()),
        "now": timezone.now()})


@login_required
@require_POST
def close_item(request, pk: int):
    """Close an open matter of a handover with a note, from the handover it is carried
    to; back to the page it was closed from."""
    item = visible_record(request, "handover-items", pk, "change")
    note = request.POST.get("note", "").strip()
    try:
        services.update_record(request.user, item, {"closed_at": timezone.now(),
                                                   "closed_note": note})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("The matter is closed."))
    return redirect(next_url(request, "home"))


@login_required
@require_POST
def sign_in(request, pk: int):
    """One tap at a 护学岗: today's session (arrival in the morning, dismissal after),
    signed by the signed-in account, now."""
    post = visible_record(request, "school-guard-posts", pk)
    if not permissions.allowed(request.user, "add", registry.get("school-guard-sign-ins"),
                               post.unit_path):
        raise PermissionDenied
    now = timezone.now()
    session = post.session_at(now)
    try:
        services.create_record(request.user, SchoolGuardSignIn, {
            "unit": post.unit, "post": post, "date": timezone.localdate(now),
            "session": session, "signed_at": now})
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("Signed in at %(post)s: %(session)s.") % {
            "post": post, "session": Session(session).label})
    return redirect(next_url(request, "home"))
