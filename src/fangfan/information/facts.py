"""Facts of information work for the standards engine: R-MEET (a situation analysis
meeting every quarter) from the meetings, and the guards' training hours this year from
the training sessions they took part in (docs/information.md says how they count)."""
from __future__ import annotations

import datetime as dt
import threading

from django.db.models import (
    Count,
    DecimalField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext_noop

from fangfan.information.models import Meeting, MeetingKind, TrainingParticipant
from fangfan.resources.models import Person
from fangfan.standards.facts import fact, fact_day, family, rows

# R-MEET looks back this many ended quarters, and no further than the unit's first
# recorded meeting (quarters before it used Fangfan for its meetings are not counted).
MEET_WINDOW_QUARTERS = 4

fact("quarters_without_meeting", "meetings", "int",
     gettext_noop("Ended quarters (of the last four, since the unit's first recorded "
                  "meeting) without a quarterly situation analysis meeting."),
     missing=gettext_noop("No meeting is recorded for this unit yet."))


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarters(first: dt.date, end: dt.date) -> int:
    """Whole quarters from the quarter of `first` up to the quarter before `end`."""
    return max(0, ((end.year - first.year) * 12 + end.month - first.month) // 3)


def meet_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """[first day of the oldest counted quarter, first day of the current quarter)."""
    this_quarter = quarter_start(today)
    index = this_quarter.month - 1 - 3 * MEET_WINDOW_QUARTERS
    return dt.date(this_quarter.year + index // 12, index % 12 + 1, 1), this_quarter


_run = threading.local()


def _derive_meetings(row: dict) -> dict:
    first = row["first_meeting"]
    if first is None:
        return {"quarters_without_meeting": None}
    start, this_quarter = _run.meet_window
    expected = _quarters(max(quarter_start(first), start), this_quarter)
    return {"quarters_without_meeting": max(0, expected - row["meeting_quarters"])}


@family("meetings", derive=_derive_meetings, clock=True, source="meetings")
def _meetings(scope: Q) -> QuerySet:
    start, this_quarter = _run.meet_window = meet_window(fact_day())
    situation = Q(kind=MeetingKind.SITUATION)
    return rows("meetings", lambda scope: Meeting.objects.filter(scope).values(
        "unit_path").annotate(
        first_meeting=Min("held_on"),
        meeting_quarters=Count(TruncQuarter("held_on"), distinct=True, filter=situation & Q(
            held_on__gte=start, held_on__lt=this_quarter))), scope)


fact("training_hours_min_guard", "training", "float",
     gettext_noop("The fewest training hours this year among the unit's guards, counted "
                  "from the training sessions they took part in."),
     missing=gettext_noop("No guards are recorded for this unit yet."))


def year_start(today: dt.date | None = None) -> dt.date:
    return dt.date((today or timezone.localdate()).year, 1, 1)


def hours_this_year(today: dt.date | None = None, person: str = "pk"):
    """The hours of the sessions of this calendar year a person took part in (0 when
    none), as a subquery on `person` (a Person annotation, one query for a list)."""
    hours = TrainingParticipant.objects.filter(
        person=OuterRef(person), session__held_on__gte=year_start(today)).order_by() \
        .values("person").annotate(h=Sum("session__hours")).values("h")
    return Coalesce(Subquery(hours, output_field=HOURS), Value(0), output_field=HOURS)


HOURS = DecimalField(max_digits=8, decimal_places=1)


def _derive_training(row: dict) -> dict:
    least = row["training_hours_min_guard"]
    return {"training_hours_min_guard": None if least is None else float(least)}


@family("training", derive=_derive_training, clock=True, minute=True, source="people")
def _training(scope: Q) -> QuerySet:
    """Per unit, the least of its guards' hours (a guard with no session counts 0)."""
    return Person.objects.filter(scope, is_guard=True).values("unit_path").annotate(
        training_hours_min_guard=Min(hours_this_year(fact_day())))
