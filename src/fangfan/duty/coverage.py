"""Coverage of a post over time: who is on duty when, and the hours held by fewer people
than the post requires (a gap). Computed from the shifts by a sweep of their starts and
ends, day by day, so that a gap is said the way a duty roster is read: "uncovered
02:00–06:00 on Tue"."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fangfan.duty.models import Post, Shift


@dataclass(frozen=True)
class Gap:
    """A stretch of time when fewer than `required` people are on duty at a post."""

    start: dt.datetime
    end: dt.datetime
    on_duty: int
    required: int

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def describe(self) -> str:
        """In words, e.g. "uncovered 02:00–06:00 on Tue 11月24日"."""
        start = timezone.localtime(self.start)
        end = timezone.localtime(self.end)
        until = "24:00" if end.time() == dt.time(0) and end.date() > start.date() \
            else end.strftime("%H:%M")
        day = (f'{formats.date_format(start.date(), "D")} '
               f'{formats.date_format(start.date(), "MONTH_DAY_FORMAT")}')
        values = {"start": start.strftime("%H:%M"), "end": until, "day": day,
                  "n": self.on_duty, "required": self.required}
        if self.on_duty == 0:
            return _("uncovered %(start)s–%(end)s on %(day)s") % values
        return _("%(n)s of %(required)s on duty %(start)s–%(end)s on %(day)s") % values


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day from local midnight to the next local midnight."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1),
                                                          dt.time.min))


def gaps(post: Post, shifts: Iterable[Shift], start: dt.datetime,
         end: dt.datetime) -> list[Gap]:
    """The gaps of a post held around the clock between `start` and `end`, split at
    local midnight (one gap per day it touches); none for a post held only in its
    shifts."""
    if not post.needs_24h:
        return []
    required = post.people_per_shift
    events: list[tuple[dt.datetime, int]] = []
    for s in shifts:
        if s.ends_at > start and s.starts_at < end:
            events += [(max(s.starts_at, start), 1), (min(s.ends_at, end), -1)]
    cuts = sorted({start, end, *(t for t, _d in events), *_midnights(start, end)})
    found: list[Gap] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        count = sum(d for t, d in events if t <= a)
        if count >= required:
            continue
        last = found[-1] if found else None
        if (last and last.end == a and last.on_duty == count
                and timezone.localdate(last.start) == timezone.localdate(a)):
            found[-1] = Gap(last.start, b, count, required)
        else:
            found.append(Gap(a, b, count, required))
    return found


def _midnights(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    day = timezone.localdate(start) + dt.timedelta(days=1)
    out = []
    while (m := day_bounds(day)[0]) < end:
        out.append(m)
        day += dt.timedelta(days=1)
    return out
