"""Is a day a school day at a unit? Monday to Friday within a term of the unit (the
nearest terms up the tree, as the obligation calendar and R-DRILL read them), unless a
calendar day says otherwise: a holiday (国庆 within the autumn term) is none, a make-up
school day (调休, a Saturday or Sunday) is one if it falls within a term.

Without terms (or after the last term recorded) the week alone decides, Monday to
Friday, and calendar days still apply: a unit whose authority recorded the holidays but
not the terms keeps its holidays.
Callers with many units ask `checker(day)` once: two queries, then a function of a
unit's path."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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
