"""Facts of inspections for the standards engine: R-SELF (a self-inspection every month)
and R-SUPV (the supervising authority inspects each school twice a semester), computed
from the inspection records (docs/inspections.md says how they are counted)."""
from __future__ import annotations

import datetime as dt
import threading

from django.db.models import CharField, Count, Min, Q, QuerySet
from django.db.models.functions import Cast, Substr
from django.utils.translation import gettext_noop

from fangfan.inspections.models import Inspection, InspectionKind
from fangfan.inspections.services import SUPERVISIONS_PER_SEMESTER
from fangfan.standards import calendar
from fangfan.standards.facts import fact, fact_day, family, rows, units

# R-SELF looks back this many ended months (and no further than the unit's first
# recorded self-inspection, so months before it used Fangfan are not counted).
SELF_WINDOW_MONTHS = 12
# R-SUPV: an authority inspects a unit at most once a week, so with fewer days left in
# the semester than the missing inspections need, the gap shows before the end.
DAYS_PER_SUPERVISION = 7

fact("months_without_self_inspection", "inspections", "int",
     gettext_noop("Ended months (of the last twelve, since the unit's first recorded "
                  "self-inspection) without a finished self-inspection."),
     missing=gettext_noop("No finished self-inspection is recorded for this unit yet."))


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months(first: dt.date, end: dt.date) -> int:
    """Whole months from the month of `first` up to the month before `end`."""
    return max(0, (end.year - first.year) * 12 + end.month - first.month)


def _window(today: dt.date) -> tuple[dt.date, dt.date]:
    this_month = _month_start(today)
    index = this_month.month - 1 - SELF_WINDOW_MONTHS
    return dt.date(this_month.year + index // 12, index % 12 + 1, 1), this_month


def _derive_self(row: dict) -> dict:
    first = row["first_self"]
    if first is None:
        return {"months_without_self_inspection": None}
    start, this_month = _run.self_window  # the query's, read once per evaluation
    expected = _months(max(_month_start(first), start), this_month)
    return {"months_without_self_inspection": max(0, expected - row["self_months"])}


# The dates of one evaluation, for its derive step (the query and its derive run one
# after the other in the same thread): today is not asked again for each unit.
_run = threading.local()


@family("inspections", derive=_derive_self, clock=True, source="inspections")
def _inspections(scope: Q) -> QuerySet:
    start, this_month = _run.self_window = _window(fact_day())
    done = Q(kind=InspectionKind.SELF, completed_on__isnull=False)
    return rows("inspections", lambda scope: Inspection.objects.filter(scope).values(
        "unit_path").annotate(
        first_self=Min("inspected_on", filter=done),
        self_months=Count(_month_of("inspected_on"), distinct=True, filter=done & Q(
            inspected_on__gte=start, inspected_on__lt=this_month))), scope)


def _month_of(field: str):
    """The month of a date as text, "2026-11", in SQL of both databases (a date cast to
    text is ISO). TruncMonth is a Python function per row on SQLite: 2.8 s instead of
    0.9 s for a province's 715,000 inspections."""
    return Substr(Cast(field, CharField()), 1, 7)


fact("supervisions_missing", "supervision", "int",
     gettext_noop("Supervisory inspections by the unit's supervising authority missing "
                  "from the last ended semester, plus those of the current semester when "
                  "the days left cannot fit them (R-SUPV: two a semester)."),
     missing=gettext_noop("No school terms are set for this unit yet."))

# The terms and the semester windows of one evaluation are kept in `_run` for the
# derive step, with each set of terms' current and last ended semester (a few sets,
# one per region: found once, not once per unit).


def _derive_supervision(row: dict, path: str) -> dict:
    today = _run.today
    current, last = _run.semesters.get(id(calendar.terms_for(path, _run.terms)),
                                       (None, None))
    if current is None and last is None:
        return {"supervisions_missing": None}
    missing = 0
    if last is not None:
        missing += max(0, SUPERVISIONS_PER_SEMESTER - row[_run.windows[last]])
    if current is not None:
        short = max(0, SUPERVISIONS_PER_SEMESTER - row[_run.windows[current]])
        days_left = (current[1] - today).days
        if short and days_left < DAYS_PER_SUPERVISION * (short - 1):
            missing += short
    return {"supervisions_missing": missing}


@family("supervision", derive=_derive_supervision, clock=True, source="inspections",
        by_path=True)
def _supervision(scope: Q) -> QuerySet:
    """Over the units themselves (a unit nobody inspected has a gap too), with the
    supervisor's finished inspections counted in each semester window of the terms
    in use (a few: one set per region)."""
    today = _run.today = fact_day()
    _run.terms = calendar.terms_by_path()
    _run.semesters = {id(terms): (calendar.current_term(today, terms),
                                  calendar.last_ended_term(today, terms))
                      for terms in _run.terms.values()}
    windows = {w for pair in _run.semesters.values() for w in pair if w}
    _run.windows = named = {w: f"w{i}" for i, w in enumerate(sorted(windows))}
    counted = Q(inspection__by_supervisor=True, inspection__completed_on__isnull=False)
    return rows("supervision", lambda scope: units(scope).values("unit_path").annotate(
        **{name: Count("inspection", filter=counted & Q(
            inspection__inspected_on__range=window)) for window, name in named.items()}),
        scope, tuple(named.items()))
