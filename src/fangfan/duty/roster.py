"""The duty roster read as a roster: the week (or a day) of a unit's posts with a bar per
shift and the gaps of 24-hour coverage, copying a week to the next, the leader-on-duty
roster, a person's own shifts. All reads are scoped like the record lists."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry, services
from fangfan.duty.coverage import Gap, day_bounds, gaps
from fangfan.duty.models import AROUND_THE_CLOCK_KINDS, Coverage, Post, PostKind, Shift

WEEK = dt.timedelta(days=7)
DAY_SECONDS = 24 * 3600


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def around_the_clock() -> Q:
    """Posts held around the clock, as SQL (Post.needs_24h)."""
    return Q(coverage=Coverage.ALWAYS) | Q(coverage=Coverage.BY_KIND,
                                           kind__in=AROUND_THE_CLOCK_KINDS)


def posts_with_shifts(posts: QuerySet, start: dt.datetime, end: dt.datetime) -> list[Post]:
    """The posts with their shifts overlapping [start, end) and each shift's person, in
    two queries whatever their number (`post.window`)."""
    window = (Shift.objects.filter(starts_at__lt=end, ends_at__gt=start)
              .select_related("person").order_by("starts_at"))
    return list(posts.select_related("location").annotate(
        first_shift=Min("shifts__starts_at")).prefetch_related(
        Prefetch("shifts", queryset=window, to_attr="window")))


@dataclass
class Bar:
    """A shift or a gap drawn on a day's 24-hour line, in percent of the day."""

    left: float
    width: float
    label: str
    title: str
    url: str = ""


@dataclass
class DayRow:
    day: dt.date
    bars: list[Bar] = field(default_factory=list)
    gaps: list[Bar] = field(default_factory=list)


@dataclass
class PostRow:
    post: Post
    days: list[DayRow]
    gaps: list[Gap]


def _span(start: dt.datetime, end: dt.datetime, day: dt.date) -> tuple[float, float] | None:
    lo, hi = day_bounds(day)
    a, b = max(start, lo), min(end, hi)
    if b <= a:
        return None
    left = (a - lo).total_seconds() / DAY_SECONDS * 100
    return round(left, 2), round((b - a).total_seconds() / DAY_SECONDS * 100, 2)


def _hhmm(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def timeline(posts: list[Post], days: list[dt.date]) -> list[PostRow]:
    """Each post's days with a bar per shift and a red bar per gap."""
    start, end = day_bounds(days[0])[0], day_bounds(days[-1])[1]
    rows = []
    for post in posts:
        # Before its first shift the post's roster was not kept here: no gap is shown
        # for that time (days to come are always checked).
        since = min(post.first_shift or timezone.now(), timezone.now())
        found = gaps(post, post.window, max(start, since), end) if since < end else []
        day_rows = []
        for day in days:
            row = DayRow(day)
            for s in post.window:
                if span := _span(s.starts_at, s.ends_at, day):
                    row.bars.append(Bar(*span, label=str(s.person),
                                        title=f"{s.person} {_hhmm(s.starts_at)}–"
                                              f"{_hhmm(s.ends_at)}",
                                        url=s.get_absolute_url()))
            for g in found:
                if span := _span(g.start, g.end, day):
                    row.gaps.append(Bar(*span, label="", title=g.describe()))
            day_rows.append(row)
        rows.append(PostRow(post, day_rows, found))
    return rows


class CopyRefused(ValidationError):
    """Copying a week would make conflicting shifts: each conflict, nothing saved."""


@transaction.atomic
def copy_week(actor, unit, monday: dt.date, posts: QuerySet | None = None) -> list[Shift]:
    """Copy the shifts starting in the week of `monday` at the unit's posts (all, or
    `posts`) to the same hours of the next week, in one transaction: any conflict (the
    person already on duty then, a licence expired by then) refuses the whole copy with
    every conflict listed."""
    start = day_bounds(monday)[0]
    qs = Shift.objects.filter(unit=unit, starts_at__gte=start, starts_at__lt=start + WEEK)
    if posts is not None:
        qs = qs.filter(post__in=posts)
    made, conflicts = [], []
    for s in qs.select_related("post", "person").order_by("starts_at"):
        data = {"unit": unit, "post": s.post, "person": s.person, "note": s.note,
                "starts_at": s.starts_at + WEEK, "ends_at": s.ends_at + WEEK}
        try:
            with transaction.atomic():
                made.append(services.create_record(actor, Shift, data))
        except ValidationError as exc:
            conflicts.append(_("%(post)s, %(person)s, %(start)s: %(reason)s") % {
                "post": s.post, "person": s.person, "reason": " ".join(exc.messages),
                "start": formats.date_format(timezone.localtime(data["starts_at"]),
                                             "SHORT_DATETIME_FORMAT")})
    if conflicts:
        raise CopyRefused(conflicts)
    return made


def leader_shifts(user, unit, monday: dt.date) -> QuerySet:
    """The week's shifts at the unit's leader-on-duty posts (带班领导)."""
    rt = registry.get("shifts")
    start = day_bounds(monday)[0]
    return (Shift.objects.filter(permissions.restrict(user, "view", rt), unit=unit,
                                 post__kind=PostKind.LEADER, starts_at__lt=start + WEEK,
                                 ends_at__gt=start)
            .select_related("post", "person").order_by("starts_at"))


@dataclass
class PeriodDuty:
    """A sensitive period asking for leaders on duty, and its days of the week without
    a leader on duty."""

    period: object
    missing: list[dt.date]


def sensitive_days(user, unit, monday: dt.date, shifts: list[Shift]) -> list[PeriodDuty]:
    """The sensitive periods declared above the unit (inspections' 敏感时期) that ask for
    leaders on duty and fall in the week, each with the week's days of the period that no
    leader-on-duty shift touches. One query."""
    try:
        rt = registry.get("sensitive-periods")
    except KeyError:
        return []
    if not permissions.allowed(user, "view", rt):
        return []
    sunday = monday + dt.timedelta(days=6)
    periods = rt.model.objects.filter(
        permissions.restrict(user, "view", rt), unit_path__in=_above(unit.path),
        leaders_on_duty=True, starts_on__lte=sunday, ends_on__gte=monday).order_by(
        "starts_on")
    covered = set()
    for s in shifts:
        day = timezone.localdate(s.starts_at)
        while day <= timezone.localdate(s.ends_at - dt.timedelta(microseconds=1)):
            covered.add(day)
            day += dt.timedelta(days=1)
    out = []
    for period in periods:
        days = [monday + dt.timedelta(days=i) for i in range(7)]
        out.append(PeriodDuty(period, [d for d in days if period.starts_on <= d
                                       <= period.ends_on and d not in covered]))
    return out


def _above(path: str) -> list[str]:
    from fangfan.core.models.units import PATH_SEGMENT_WIDTH as W

    return [path[:i * W] for i in range(1, len(path) // W)]


def my_shifts(person, now: dt.datetime, limit: int = 14) -> list[Shift]:
    """The person's shift under way and those to come, soonest first."""
    if person is None:
        return []
    return list(Shift.objects.filter(person=person, ends_at__gt=now)
                .select_related("post", "post__location").order_by("starts_at")[:limit])
