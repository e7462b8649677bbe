"""Is a day a school day at a unit? Monday to Friday within a term of the unit (the
nearest terms up the tree, as the obligation calendar and R-DRILL read them), unless a
calendar day says otherwise: a holiday (国庆 within the autumn term) is none, a make-up
school day (调休, a Saturday or Sunday) is one if it falls within a term.

Without terms (or after the last term recorded) the week alone decides, Monday to
Friday, and calendar days still apply: a unit whose authority recorded the holidays but
not the terms keeps its holidays.
Callers with many units ask `checker(day)` once: two queries, then a function of a
unit's path; `nth_last(paths, n, today)` walks back over many days for many units in two
queries."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from fangfan.standards import calendar
from fangfan.standards.models import CalendarDay, CalendarDayKind


def checker(day: dt.date) -> Callable[[str], bool]:
    """For `day`, a function telling whether it is a school day at the unit of a path
    (reads every term and the calendar days of that date once)."""
    terms = calendar.terms_by_path()
    kinds = dict(CalendarDay.objects.filter(date=day).values_list("unit_path", "kind"))

    def school_day(path: str) -> bool:
        return decide(day, calendar.terms_for(path, terms), _nearest(path, kinds))

    return school_day


def is_school_day(day: dt.date, path: str) -> bool:
    """Whether `day` is a school day at the unit of `path` (two queries)."""
    return checker(day)(path)


def nth_last(paths: Iterable[str], n: int, today: dt.date,
             horizon: dt.timedelta) -> dict[str, dt.date]:
    """{path: the n-th last school day of the unit up to `today` (today included)}, the
    earliest day the horizon allows where it holds fewer than n school days. Reads the
    terms and the calendar days of the horizon once; units with the same calendar
    sources (the same nearest terms and the same recorders of calendar days above them)
    are walked once, so a city's schools under one calendar cost one walk."""
    paths = list(paths)
    if not paths:
        return {}
    first = today - horizon
    terms = calendar.terms_by_path()
    kinds: dict[dt.date, dict[str, str]] = {}
    for path, day, kind in CalendarDay.objects.filter(
            date__gte=first, date__lte=today).values_list("unit_path", "date", "kind"):
        kinds.setdefault(day, {})[path] = kind
    recorders = {p for by_path in kinds.values() for p in by_path}
    walked: dict[tuple, dt.date] = {}
    out = {}
    for path in paths:
        own_terms = max((p for p in terms if path.startswith(p)), key=len, default="")
        key = (own_terms, tuple(sorted(p for p in recorders if path.startswith(p))))
        if key not in walked:
            walked[key] = _walk_back(path, n, today, first, terms.get(own_terms, []), kinds)
        out[path] = walked[key]
    return out


def _walk_back(path: str, n: int, today: dt.date, first: dt.date,
               terms: list[calendar.Term], kinds: dict[dt.date, dict[str, str]]) -> dt.date:
    day, found = today, 0
    while day > first:
        if decide(day, terms, _nearest(path, kinds.get(day, {}))):
            found += 1
            if found == n:
                return day
        day -= dt.timedelta(days=1)
    return first


def decide(day: dt.date, terms: list[calendar.Term], kind: str | None) -> bool:
    """The rule, given the unit's terms and the kind of calendar day recorded nearest to
    it for `day` (None: none recorded)."""
    if _recorded(day, terms) and calendar.current_term(day, terms) is None:
        return False  # between terms: the holidays of winter and summer
    if kind == CalendarDayKind.HOLIDAY:
        return False
    return kind == CalendarDayKind.SCHOOL_DAY or day.weekday() < 5


def _recorded(day: dt.date, terms: list[calendar.Term]) -> bool:
    """Whether the terms speak of `day`: it falls between the first recorded term's start
    and the last one's end. After the last term recorded (next year's not yet entered)
    nothing is known, and a calendar not yet kept is not a holiday."""
    return bool(terms) and min(t[2] for t in terms) <= day <= max(t[3] for t in terms)


def _nearest(path: str, kinds: dict[str, str]) -> str | None:
    """The kind recorded by the unit itself or its closest ancestor."""
    best = max((p for p in kinds if path.startswith(p)), key=len, default=None)
    return kinds[best] if best else None
