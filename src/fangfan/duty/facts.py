"""Facts of the duty roster and the 护学岗 for the standards engine, and the roster as
the alerts' baseline of a unit's normal guard force.

`guards_on_duty` (R-KIT: kit per guard on duty at the gate): the largest number of
guards on duty at the same time at the unit's gate posts over the coming seven days,
read from the shifts. The most guards at once is what the gate duty room must equip; a
unit whose gate posts have shifts, but none in the coming week, has 0 on duty; a unit
with no gate-post shift at all is unknown (its roster is not kept in Fangfan)."""
from __future__ import annotations

import datetime as dt
import threading

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_noop

from fangfan.alerts.baseline import roster_source
from fangfan.core.scoping import subtree_q
from fangfan.duty.models import (
    GUARD_KINDS,
    PostKind,
    SchoolGuardPost,
    SchoolGuardSignIn,
    Shift,
)
from fangfan.standards import schooldays
from fangfan.standards.facts import fact, fact_day, fact_time, family, rows

# How far ahead the roster is read for the guards on duty.
AHEAD = dt.timedelta(days=7)

fact("guards_on_duty", "duty_roster", "int",
     gettext_noop("The most guards on duty at the same time at the unit's gate posts over "
                  "the coming seven days, from the duty roster (R-KIT: the gate duty room "
                  "equips each of them)."))


def concurrent_guards(shifts: QuerySet, kinds: set[str], now: dt.datetime) -> QuerySet:
    """`shifts` (at posts of `kinds`) annotated with `on_duty`: how many shifts at the
    unit's posts of those kinds are under way at the moment the shift starts (or now, for
    one already under way). The most people at once is reached at some shift's start,
    so the largest of these over a window is the window's peak."""
    moment = Greatest(F("starts_at"), Value(now, output_field=DateTimeField()))
    under_way = (Shift.objects.filter(unit_id=OuterRef("unit_id"), post__kind__in=kinds,
                                      starts_at__lte=OuterRef("moment"),
                                      ends_at__gt=OuterRef("moment"))
                 .order_by().values("unit_id").annotate(n=Count("pk")).values("n"))
    return shifts.filter(post__kind__in=kinds).annotate(moment=moment).annotate(
        on_duty=Subquery(under_way))


def _in_window(now: dt.datetime) -> Q:
    return Q(ends_at__gt=now, starts_at__lt=now + AHEAD)


@family("duty_roster", clock=True, minute=True, source="shifts")
def duty_roster(scope: Q) -> QuerySet:
    now = fact_time()
    rows = concurrent_guards(Shift.objects.filter(scope), {PostKind.GATE}, now)
    return (rows.order_by().values("unit_path").annotate(guards_on_duty=Coalesce(Max(Case(
        When(_in_window(now), then=F("on_duty")), default=Value(0))), 0)))


@roster_source
def normal_guard_force(path: str) -> dict[int, int]:
    """{unit id: guards}: the most guards on duty at once at the unit's guard posts (gate,
    patrol, monitoring room, standby) over the coming seven days, for units whose roster
    has such shifts then (others fall back to R-STAFF)."""
    now = timezone.now()
    rows = concurrent_guards(
        Shift.objects.filter(subtree_q("unit_path", [path]), _in_window(now)),
        set(GUARD_KINDS), now)
    return dict(rows.order_by().values("unit_id").annotate(b=Max("on_duty"))
                .values_list("unit_id", "b"))


# A 护学岗 counts as set up (设置) while in service and signed in on at least one of the
# unit's last this many school days: a post on paper that nobody staffs is not one, and
# the winter and summer holidays (no school day, no sign-in) do not undo one.
SIGNED_WITHIN_SCHOOL_DAYS = 10
# How far back those school days are looked for: past a summer holiday (early July to the
# end of August) with two weeks to spare. Fewer school days than that within it (terms
# recorded with a longer gap) and a sign-in within it counts.
SCHOOL_DAYS_HORIZON = dt.timedelta(days=120)

fact("hu_xue_gang_posts", "school_guard_posts", "int",
     gettext_noop("Police school-guard posts (护学岗) in service today that were signed in "
                  "on at least one of the unit's last 10 school days."))

# The posts signed in recently per unit, for the family's derive step (the query and its
# derive run one after the other in the same thread).
_signed = threading.local()


def recently_signed(last_signed: list[tuple[str, dt.date]],
                    since: dict[str, dt.date]) -> dict[str, int]:
    """{unit path: posts whose last sign-in (`last_signed`: one (path, date) per post) is
    on or after the unit's first counted school day (`since`)}."""
    counts: dict[str, int] = {}
    for path, last in last_signed:
        if last >= since[path]:
            counts[path] = counts.get(path, 0) + 1
    return counts


def _derive_posts(row: dict, path: str) -> dict:
    return {"hu_xue_gang_posts": _signed.counts.get(path, 0)}


@family("school_guard_posts", derive=_derive_posts, clock=True, by_path=True,
        source="school-guard-posts", queries=3)
def school_guard_posts(scope: Q) -> QuerySet:
    """The units with a 护学岗 (any: a unit with posts none of which counts has 0), with,
    read beside it, each post in service today with its last sign-in within the horizon
    (one grouped query), and the date of each of those units' 10th-last school day (the
    calendar days of the horizon: one query; the terms are read once per evaluation)."""
    today = fact_day()
    in_service = Q(post__active_from__lte=today) & (Q(post__active_until__isnull=True)
                                                    | Q(post__active_until__gte=today))
    last_signed = list(rows("school_guard_posts.signed", lambda scope: (
        SchoolGuardSignIn.objects.filter(
            scope, in_service, date__gt=today - SCHOOL_DAYS_HORIZON, date__lte=today)
        .order_by().values("post_id", "unit_path").annotate(last=Max("date"))
        .values_list("unit_path", "last")), scope))
    since = schooldays.nth_last({path for path, _last in last_signed},
                                SIGNED_WITHIN_SCHOOL_DAYS, today, SCHOOL_DAYS_HORIZON)
    _signed.counts = recently_signed(last_signed, since)
    return rows("school_guard_posts", lambda scope: SchoolGuardPost.objects.filter(
        scope).order_by().values("unit_path").annotate(posts=Count("pk")), scope)
