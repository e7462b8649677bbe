"""Facts of drills for the standards engine: R-DRILL (a drill every semester, a
counter-terrorism drill every school year) and the national drill guide (a drill every
month at schools, every quarter at kindergartens), from the drill records and the unit's
school terms (the nearest up the tree). docs/emergency.md says how they are counted.

A period without a drill is a gap from the day after it ends, and stays one until the
unit holds its next drill: each fact counts the ended periods that began after the
unit's last drill (of the kind the period asks for). The periods before the unit's
first recorded drill are not counted, so a unit is not put in the wrong for the time
before it used Fangfan; a unit with no drill recorded is unknown."""
from __future__ import annotations

import datetime as dt
import threading

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext_noop

from fangfan.emergency.models import Drill
from fangfan.standards import calendar
from fangfan.standards.facts import fact, fact_day, family, rows

fact("semesters_without_drill", "drills", "int",
     gettext_noop("Ended semesters that began after the unit's last drill: a semester "
                  "without a drill is a gap from the day after it ends (R-DRILL)."))
fact("school_years_without_ct_drill", "drills", "int",
     gettext_noop("Ended school years, since the unit's first recorded drill, that began "
                  "after its last counter-terrorism drill: one is due every school year, "
                  "a gap once the year has ended without one (R-DRILL)."))
fact("ct_drills_this_year", "drills", "int",
     gettext_noop("Counter-terrorism drills held in the school year in progress."))
fact("months_without_drill", "drills", "int",
     gettext_noop("Ended months (at least half within a school term) that began after "
                  "the unit's last drill: the drill guide asks a drill every month."))
fact("quarters_without_drill", "drills", "int",
     gettext_noop("Ended quarters (at least half within school terms) that began after "
                  "the unit's last drill: the drill guide asks a kindergarten drill every "
                  "quarter."))

# The terms and school-year windows of one evaluation, for its derive step (the query
# and its derive run one after the other in the same thread).
_run = threading.local()


def _years(terms: list[calendar.Term]) -> list[tuple[dt.date, dt.date]]:
    """Each school year of the terms as (first day of its first term, last day of its
    last term)."""
    spans: dict[int, tuple[dt.date, dt.date]] = {}
    for year, _number, start, end in terms:
        first, last = spans.get(year, (start, end))
        spans[year] = (min(first, start), max(last, end))
    return [spans[y] for y in sorted(spans)]


def _year_window(today: dt.date, terms: list[calendar.Term]) -> tuple[dt.date, dt.date] | None:
    year = calendar.school_year_of(today, terms)
    return (min(t[2] for t in year), max(t[3] for t in year)) if year else None


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def _periods_without(last: dt.date, today: dt.date, months: int,
                     terms: list[calendar.Term]) -> int:
    """Ended calendar months (or quarters: `months` = 3) that began after `last` and lie
    at least half within a school term (holidays ask no drill)."""
    first = dt.date(last.year, (last.month - 1) // months * months + 1, 1)
    start, count = _add_months(first, months), 0
    while True:
        end = _add_months(start, months) - dt.timedelta(days=1)
        if end >= today:
            return count
        if any(2 * ((min(end, t[3]) - max(start, t[2])).days + 1) >= (end - start).days + 1
               for t in terms):
            count += 1
        start = _add_months(start, months)


def values(first: dt.date, last: dt.date, last_ct: dt.date | None, ct_this_year: int,
           terms: list[calendar.Term], today: dt.date) -> dict:
    """The drill facts of one unit, given its first and last drill, its last
    counter-terrorism drill and its terms (all unknown without terms)."""
    if not terms:
        return dict.fromkeys(("semesters_without_drill", "school_years_without_ct_drill",
                              "ct_drills_this_year", "months_without_drill",
                              "quarters_without_drill"))
    semesters = sum(1 for t in terms if t[2] > last and t[3] < today)
    years = sum(1 for start, end in _years(terms)
                if end < today and end >= first and (last_ct is None or start > last_ct))
    return {"semesters_without_drill": semesters,
            "school_years_without_ct_drill": years,
            "ct_drills_this_year": ct_this_year,
            "months_without_drill": _periods_without(last, today, 1, terms),
            "quarters_without_drill": _periods_without(last, today, 3, terms)}


def _derive(row: dict, path: str) -> dict:
    today = fact_day()
    terms = calendar.terms_for(path, _run.terms)
    window = _year_window(today, terms)
    ct = row[_run.windows[window]] if window else 0
    return values(row["first"], row["last"], row["last_ct"], ct, terms, today)


@family("drills", derive=_derive, clock=True, source="drills", by_path=True)
def _drills(scope: Q) -> QuerySet:
    """The units' first and last drills, their last counter-terrorism drill, and the
    counter-terrorism drills of each school year in progress (one per set of terms in
    use: a few, one per region)."""
    today = fact_day()
    _run.terms = calendar.terms_by_path()
    windows = {w for w in (_year_window(today, terms) for terms in _run.terms.values()) if w}
    _run.windows = named = {w: f"y{i}" for i, w in enumerate(sorted(windows))}
    ct = Q(counter_terrorism=True)
    return rows("drills", lambda scope: Drill.objects.filter(scope).values(
        "unit_path").annotate(
        first=Min("held_on"), last=Max("held_on"), last_ct=Max("held_on", filter=ct),
        **{name: Count("id", filter=ct & Q(held_on__range=window))
           for window, name in named.items()}), scope, tuple(named.items()))
