"""The obligation calendar (SPEC STD-4): periodic requirements become due items per unit
from the unit's school terms (the nearest terms up the tree) or the calendar.

Obligations are derived data, like results: the daily job creates the occurrences of the
current periods in bulk (idempotent: one per unit × requirement × period start), moves
statuses along, and reminds once per occurrence. A person completing one goes through
the service layer and is audited."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core.models import Unit
from fangfan.core.notify import notify_unit_leads
from fangfan.standards.models import (
    Obligation,
    ObligationStatus,
    Requirement,
    Result,
    SchoolTerm,
    Status,
    localized,
)

Period = tuple[dt.date, dt.date]
Term = tuple[int, int, dt.date, dt.date]  # school year, number, starts, ends
REMIND_DAYS = 7


def terms_by_path() -> dict[str, list[Term]]:
    cached = getattr(_once, "terms", None)
    if cached is not None:
        return cached
    out: dict[str, list[Term]] = {}
    for t in SchoolTerm.objects.order_by("starts_on").values_list(
            "unit_path", "school_year", "number", "starts_on", "ends_on"):
        out.setdefault(t[0], []).append(t[1:])
    if getattr(_once, "active", False):
        _once.terms = out
    return out


_once = threading.local()


@contextmanager
def terms_read_once() -> Iterator[None]:
    """Within the block (one evaluation's fact families), the terms are read once in
    this thread, however many families ask for them (R-SUPV's and R-DRILL's)."""
    outer = getattr(_once, "active", False)
    _once.active = True
    try:
        yield
    finally:
        if not outer:
            _once.active, _once.terms = False, None


def terms_for(path: str, table: dict[str, list[Term]]) -> list[Term]:
    """The terms defined nearest to the unit: its own, else its closest ancestor's."""
    best = max((p for p in table if path.startswith(p)), key=len, default=None)
    return table[best] if best else []


def school_year_of(today: dt.date, terms: list[Term]) -> list[Term]:
    """Terms of the school year in progress (or the next one, between years)."""
    years = sorted({t[0] for t in terms})
    for year in years:
        mine = [t for t in terms if t[0] == year]
        if today <= max(t[3] for t in mine):
            return mine
    return []


def current_term(today: dt.date, terms: list[Term]) -> Period | None:
    """The term in progress on `today` (start, end), or None between terms."""
    return next(((t[2], t[3]) for t in terms if t[2] <= today <= t[3]), None)


def last_ended_term(today: dt.date, terms: list[Term]) -> Period | None:
    """The latest term that ended before `today`."""
    ended = [(t[2], t[3]) for t in terms if t[3] < today]
    return max(ended, key=lambda p: p[1]) if ended else None


def periods(kind: str, today: dt.date, terms: list[Term]) -> list[Period]:
    """The periods whose obligations should exist on `today`: this one and the next;
    for semesters, every semester of the school year (drills appear at its start)."""
    if kind == "week":
        start = today - dt.timedelta(days=today.weekday())
        return [(start + dt.timedelta(weeks=i), start + dt.timedelta(weeks=i, days=6))
                for i in (0, 1)]
    if kind in ("month", "quarter"):
        step = 1 if kind == "month" else 3
        first = dt.date(today.year, (today.month - 1) // step * step + 1, 1)
        return [_span(first, step), _span(_add_months(first, step), step)]
    year = school_year_of(today, terms)
    if kind == "semester":
        return [(t[2], t[3]) for t in year]
    if year:
        return [(year[0][2], year[-1][3])]
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    return [(start, dt.date(start.year + 1, 8, 31))]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def _span(first: dt.date, months: int) -> Period:
    return first, _add_months(first, months) - dt.timedelta(days=1)


def generate(today: dt.date | None = None, unit_paths: Iterable[str] | None = None) -> int:
    """Create the missing obligations of the current periods. Returns how many."""
    today = today or timezone.localdate()
    periodic = {r.pk: r.spec["period"] for r in Requirement.objects.all()
                if r.spec.get("period")}
    applicable = Result.objects.filter(requirement_id__in=periodic).exclude(
        status=Status.NOT_APPLICABLE)
    if unit_paths is not None:
        applicable = applicable.filter(unit_path__in=list(unit_paths))
    table = terms_by_path()
    rows = []
    for unit_id, path, req_id in applicable.values_list("unit_id", "unit_path",
                                                        "requirement_id").iterator():
        for start, end in periods(periodic[req_id], today, terms_for(path, table)):
            rows.append(Obligation(unit_id=unit_id, unit_path=path, requirement_id=req_id,
                                   period_start=start, period_end=end, due_on=end))
    for ob in rows:
        ob.status = ob.status_on(today)
    before = Obligation.objects.count()
    Obligation.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return Obligation.objects.count() - before


def refresh_statuses(today: dt.date | None = None) -> None:
    """Move every open obligation to the status of `today` (a few UPDATEs, not a loop)."""
    today = today or timezone.localdate()
    open_ = Obligation.objects.filter(done_on__isnull=True)
    Obligation.objects.filter(done_on__isnull=False).exclude(
        status=ObligationStatus.DONE).update(status=ObligationStatus.DONE)
    open_.filter(due_on__lt=today).exclude(status=ObligationStatus.OVERDUE).update(
        status=ObligationStatus.OVERDUE)
    open_.filter(due_on__gte=today, period_start__lte=today).exclude(
        status=ObligationStatus.DUE).update(status=ObligationStatus.DUE)
    open_.filter(period_start__gt=today).exclude(status=ObligationStatus.UPCOMING).update(
        status=ObligationStatus.UPCOMING)


def remind(today: dt.date | None = None) -> int:
    """Notify the unit's administrators and principal once per open obligation coming due
    within a week. Each obligation is claimed by an UPDATE first, so two workers never
    send the same reminder."""
    today = today or timezone.localdate()
    window = Q(done_on__isnull=True, reminded_on__isnull=True,
               due_on__lte=today + dt.timedelta(days=REMIND_DAYS), period_start__lte=today)
    sent = 0
    for ob in Obligation.objects.filter(window).select_related("requirement", "unit"):
        if not Obligation.objects.filter(pk=ob.pk, reminded_on__isnull=True).update(
                reminded_on=today):
            continue
        title = _("Due %(date)s: %(what)s") % {
            "date": ob.due_on, "what": ob.requirement.short_title}
        notify_unit_leads(ob.unit_id, ob.unit_path, title, localized(ob.requirement.text),
                          ob.get_absolute_url())
        sent += 1
    return sent


def fulfil(actor, unit_id: int, ref: str, day: dt.date, record, note: str,
           enough: Callable[[Obligation], bool] | None = None) -> int:
    """Close the open obligations of requirement `ref` (e.g. "R-SELF") whose period holds
    `day`, linked to the record that fulfils them (an inspection, a drill), as the actor's
    audited change; `enough(obligation)` says whether the records so far suffice (two
    supervisory inspections a semester). Returns how many closed. Domain apps call this,
    so the calendar needs to know none of them."""
    from fangfan.core import services
    from fangfan.core.registry import for_model

    open_ = Obligation.objects.filter(
        unit_id=unit_id, requirement__ref=ref, done_on__isnull=True,
        period_start__lte=day, period_end__gte=day)
    closed = 0
    for ob in open_:
        if enough is not None and not enough(ob):
            continue
        done = min(day, timezone.localdate())
        services.update_following(actor, ob, {
            "done_on": done, "note": note, "fulfilled_by_type": for_model(type(record)).slug,
            "fulfilled_by_id": str(record.pk)})
        closed += 1
    return closed


# Requirement ref -> a function given the open obligations of that requirement that have
# begun, which fulfils those its app's records already meet (an inspection recorded
# before its month's obligation was generated). Registered by the domain apps.
Fulfiller = Callable[[QuerySet], int]
_fulfillers: dict[str, Fulfiller] = {}


def fulfiller(ref: str) -> Callable[[Fulfiller], Fulfiller]:
    def register(fn: Fulfiller) -> Fulfiller:
        _fulfillers[ref] = fn
        return fn

    return register


def catch_up(today: dt.date | None = None) -> int:
    """Let each app fulfil the open obligations its records already meet."""
    today = today or timezone.localdate()
    return sum(fn(Obligation.objects.filter(requirement__ref=ref, done_on__isnull=True,
                                            period_start__lte=today))
               for ref, fn in _fulfillers.items())


# Entries of the calendar page beside the obligations (a planned drill, a plan's
# revision date): dated things the domain apps keep, which the calendar shows but does
# not generate. Each provider, registered by its app in ready() with `@calendar.entries`,
# is given the reader, the unit and the window [start, end] and returns the unit's own
# entries dated within it, plus the open ones dated before it (an overdue entry stays
# in view until it is done), only what the reader may see.
@dataclass
class Entry:
    day: dt.date
    title: str
    url: str
    status: str  # an ObligationStatus value: overdue, due, upcoming or done
    kind: str = ""  # a short muted tag ("Planned drill"), and the row's data-entry
    detail: str = ""


EntryProvider = Callable[[Any, Unit, dt.date, dt.date], Iterable[Entry]]
_entry_providers: list[EntryProvider] = []


def entries(fn: EntryProvider) -> EntryProvider:
    """Register a provider of calendar entries (a decorator)."""
    if fn not in _entry_providers:
        _entry_providers.append(fn)
    return fn


def entry_window(today: dt.date, terms: list[Term]) -> Period:
    """The window of the calendar page's entries: from the start of the school year in
    progress (1 September without terms) to its end, and at least a year ahead."""
    year = school_year_of(today, terms)
    if year:
        start, end = min(t[2] for t in year), max(t[3] for t in year)
    else:
        start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        end = dt.date(start.year + 1, 8, 31)
    return min(start, today), max(end, today + dt.timedelta(days=365))


def entries_for(user, unit: Unit, start: dt.date, end: dt.date) -> list[Entry]:
    """Every provider's entries for the unit, by day."""
    out = [e for fn in _entry_providers for e in fn(user, unit, start, end)]
    return sorted(out, key=lambda e: (e.day, e.title))


def entry_status(day: dt.date, today: dt.date, done: bool = False,
                 due_within: int = REMIND_DAYS) -> str:
    """Done; overdue once its day has passed; due within `due_within` days; else
    upcoming."""
    if done:
        return ObligationStatus.DONE
    if day < today:
        return ObligationStatus.OVERDUE
    if day <= today + dt.timedelta(days=due_within):
        return ObligationStatus.DUE
    return ObligationStatus.UPCOMING


def tick(today: dt.date | None = None) -> dict[str, int]:
    """The daily job: create, move along, remind."""
    created = generate(today)
    catch_up(today)
    refresh_statuses(today)
    return {"created": created, "reminded": remind(today)}


__all__ = ["Entry", "Unit", "entries", "entries_for", "generate", "periods",
           "refresh_statuses", "remind", "tick"]
