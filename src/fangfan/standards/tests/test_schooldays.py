"""School days: Monday to Friday within a term of the unit, minus holidays, plus make-up
school days on weekends; the nearest calendar up the tree; fixed dates."""
from __future__ import annotations

import datetime as dt

from fangfan.core import services
from fangfan.core.tests.helpers import refused
from fangfan.standards import schooldays
from fangfan.standards.models import CalendarDay, SchoolTerm

D = dt.date
TERMS = [(2026, 1, D(2026, 9, 1), D(2027, 1, 23)), (2026, 2, D(2027, 2, 22), D(2027, 7, 2))]
FRIDAY, SATURDAY = D(2026, 10, 9), D(2026, 10, 10)


def test_the_rule():
    decide = schooldays.decide
    # No terms: Monday to Friday, and the calendar days still count.
    assert decide(FRIDAY, [], None) and not decide(SATURDAY, [], None)
    assert not decide(FRIDAY, [], "holiday") and decide(SATURDAY, [], "school_day")
    # Within a term the same; between terms (winter holidays) no day is a school day.
    assert decide(FRIDAY, TERMS, None) and decide(SATURDAY, TERMS, "school_day")
    assert not decide(D(2026, 10, 1), TERMS, "holiday")
    assert not decide(D(2027, 2, 1), TERMS, None)  # a Monday of the winter holidays
    assert not decide(D(2027, 2, 6), TERMS, "school_day")  # 调休 in the holidays: none
    # Before the first or after the last term recorded nothing is known: the week.
    assert decide(D(2027, 9, 6), TERMS, None) and decide(D(2026, 6, 1), TERMS, None)


def _day(unit, day: dt.date, kind: str, name: str = "国庆节") -> CalendarDay:
    return services.create_record(None, CalendarDay, {"unit": unit, "date": day,
                                                      "kind": kind, "name": name})


def test_the_nearest_calendar_up_the_tree_decides(tree):
    for year, number, start, end in TERMS:
        services.create_record(None, SchoolTerm, {"unit": tree["city"], "school_year": year,
                                                  "number": number, "starts_on": start,
                                                  "ends_on": end})
    _day(tree["city"], SATURDAY, "school_day", "国庆节调休")
    _day(tree["b"], SATURDAY, "holiday", "校庆")  # school b keeps its own day off
    _day(tree["a"], FRIDAY, "holiday", "秋季运动会补休")
    school_day = schooldays.checker(SATURDAY)
    assert school_day(tree["a"].path) and not school_day(tree["b"].path)
    assert school_day(tree["district"].path)
    assert not schooldays.is_school_day(FRIDAY, tree["a"].path)
    assert schooldays.is_school_day(FRIDAY, tree["b"].path)


def test_a_make_up_school_day_is_a_weekend_day(tree):
    refused("date", _day, tree["city"], FRIDAY, "school_day")
    _day(tree["city"], FRIDAY, "holiday")
    refused("date", _day, tree["city"], FRIDAY, "holiday")  # one entry per unit and date
    assert CalendarDay.objects.count() == 1
