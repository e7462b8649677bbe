"""The authority's hazard board (issue 9): per unit directly below an authority (each
counting its whole subtree) the hazards open, overdue, escalated and closed, closed on
time and the two rates; the subtree's totals; and a trend of six months (found vs
closed). Definitions: docs/inspections.md, "The board".

Built like the gap matrix for an authority of thousands of units: the units are ranked
and paged in SQL (worst first), the counts are read for the page's units only, grouped
by the path prefix of the unit below the authority. When every unit below is on the
page (most authorities), that one grouped pass over the subtree also gives the totals
and the trend; else they are one more aggregate. A constant number of queries whatever
the number of units or hazards."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import quote

from django.core.paginator import Page, Paginator
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, LPad, Substr
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from fangfan.core import permissions, registry
from fangfan.core.models import Unit
from fangfan.core.models.units import PATH_SEGMENT_WIDTH
from fangfan.inspections.models import OPEN_STATUSES, Hazard, HazardStatus

PAGE_SIZE = 50
# The authority's home page shows the worst units and links to the whole board.
HOME_SIZE = 10
TREND_MONTHS = 6
# Ranking weights: overdue first, then escalated, then open (a unit's counts stay far
# below a million, so one weighted sum orders like the three keys in turn, and the
# ranking reads each unit's hazards once instead of three times).
W_OVERDUE, W_ESCALATED = 10**12, 10**6


def _open(today: dt.date) -> dict[str, Q]:
    """The conditions of each count (docs/inspections.md, "The board")."""
    is_open = Q(status__in=OPEN_STATUSES)
    closed = Q(status=HazardStatus.CLOSED)
    return {
        "total": Q(),
        "open": is_open,
        "overdue": is_open & Q(deadline__lt=today),
        "escalated": is_open & Q(escalated_on__isnull=False),
        "closed": closed,
        "closed_with_deadline": closed & Q(deadline__isnull=False),
        "on_time": closed & Q(deadline__isnull=False, closed_on__lte=F("deadline")),
    }


@dataclass
class Counts:
    total: int = 0
    open: int = 0
    overdue: int = 0
    escalated: int = 0
    closed: int = 0
    closed_with_deadline: int = 0
    on_time: int = 0

    @property
    def on_time_rate(self) -> int | None:
        """Closed on time ÷ closed with a deadline, in whole percent; None: nothing to
        judge (shown as "—", not 0 % or 100 %)."""
        return _percent(self.on_time, self.closed_with_deadline)

    @property
    def closure_rate(self) -> int | None:
        """Closed ÷ all hazards, in whole percent (the rectification rate)."""
        return _percent(self.closed, self.total)


def _percent(part: int, whole: int) -> int | None:
    return None if not whole else int(part * 100 / whole)  # floor: 99.6 % is not 100 %


@dataclass
class Row:
    unit_id: int
    name: str
    code: str
    path: str
    counts: Counts = field(default_factory=Counts)
    url: str = ""  # its own board, when units lie below it; else its hazard list
    links: dict[str, str] = field(default_factory=dict)


@dataclass
class Month:
    start: dt.date
    label: str
    found: int = 0
    closed: int = 0


@dataclass
class Board:
    unit: Unit
    page: Page
    totals: Counts
    totals_links: dict[str, str]
    trend: list[Month]
    today: dt.date

    @property
    def trend_max(self) -> int:
        return max([1] + [max(m.found, m.closed) for m in self.trend])


def visible(user) -> Q:
    """The hazards the user may view."""
    return permissions.restrict(user, "view", registry.get("hazards"))


def in_subtree(path: str) -> Q:
    from fangfan.core.scoping import path_upper_bound

    return Q(unit_path__gte=path, unit_path__lt=path_upper_bound(path))


def build(user, unit: Unit, params=None, today: dt.date | None = None,
          size: int = PAGE_SIZE) -> Board:
    """The board of `unit` as `user` may see it: the page of units below it asked for
    by `params` (page), worst first."""
    from django.utils import timezone

    today = today or timezone.localdate()
    params = params or {}
    hazards = Hazard.objects.all()
    if not permissions.allowed(user, "view", registry.get("hazards"), unit.path):
        # Only the parts of the subtree the user may view (a page is refused such a
        # board; the home page's panel too). Where the whole subtree is the user's, the
        # condition is left out: its own path range beside each unit's would let SQLite
        # seek the wrong range and read the whole subtree once per unit.
        hazards = hazards.filter(visible(user))
    page = Paginator(_ranked(hazards, unit, today), size).get_page(params.get("page"))
    rows = [Row(pk, name, code, path, url=reverse("hazard-board-unit", args=[code])
                if below else "") for pk, name, code, path, below, _score in page.object_list]
    page.object_list = rows
    width = len(unit.path) + PATH_SEGMENT_WIDTH
    if page.has_other_pages():
        # The page's units only; the whole subtree's totals and trend apart.
        span = Q(pk__in=[])
        for r in rows:
            span |= in_subtree(r.path)
        groups = _grouped(hazards.filter(span), width, today, trend=False)
        whole = hazards.filter(in_subtree(unit.path)).aggregate(**_aggregates(today, True))
    else:
        # Every unit below is on the page: one pass over the subtree gives the rows, and
        # their sum (with the authority's own hazards, a group of their own) the totals
        # and the trend.
        groups = _grouped(hazards.filter(in_subtree(unit.path)), width, today, trend=True)
        whole = {k: sum(g[k] for g in groups.values()) for k in _aggregates(today, True)}
    for r in rows:
        r.counts = _counts(groups.get(r.path))
        r.links = links(r.code)
        r.url = r.url or r.links["total"]
    totals = _counts(whole)
    return Board(unit=unit, page=page, totals=totals, totals_links=links(unit.code),
                 trend=_trend(whole, today), today=today)


def _ranked(hazards: QuerySet, unit: Unit, today: dt.date) -> QuerySet:
    """The units directly below `unit`, worst first: most overdue, then most escalated,
    then most open, then by name. One correlated aggregate per unit over its own subtree
    (a range of the (unit_path, status, deadline) index), ordered and paged in SQL."""
    conds = _open(today)
    big = BigIntegerField()
    score = Sum(Case(When(conds["overdue"], then=Value(W_OVERDUE)), default=Value(0),
                     output_field=big)
                + Case(When(conds["escalated"], then=Value(W_ESCALATED)), default=Value(0),
                       output_field=big)
                + Value(1, output_field=big))
    sub = (hazards.filter(conds["open"], unit_path__gte=OuterRef("path"),
                          unit_path__lt=OuterRef("upper"))
           .order_by().annotate(_one=Value(1)).values("_one").annotate(score=score)
           .values("score"))  # no default ordering: PostgreSQL refuses it in a GROUP BY
    return (Unit.objects.filter(parent=unit)
            .annotate(upper=_upper_bound(unit), score=Coalesce(
                Subquery(sub, output_field=big), Value(0, output_field=big)))
            .order_by("-score", "name", "pk")
            .annotate(below=Exists(Unit.objects.filter(parent=OuterRef("pk"))))
            .values_list("pk", "name", "code", "path", "below", "score"))


def _upper_bound(unit: Unit):
    """In SQL, scoping.path_upper_bound of each unit directly below `unit`: the smallest
    path after its subtree, the parent's path followed by its own last segment plus one
    (digits only, so it compares the same under any collation)."""
    at = len(unit.path) + 1
    segment = Cast(Substr("path", at, PATH_SEGMENT_WIDTH), IntegerField()) + 1
    return Concat(Value(unit.path), LPad(Cast(segment, CharField()), PATH_SEGMENT_WIDTH,
                                          Value("0")), output_field=CharField())


def _grouped(hazards: QuerySet, width: int, today: dt.date, trend: bool) -> dict[str, dict]:
    """The counts per unit below the authority: grouped by the first `width` characters
    of the path, the path of that unit."""
    found = (hazards.order_by().annotate(branch=Substr("unit_path", 1, width))
             .values("branch").annotate(**_aggregates(today, trend)))
    return {f.pop("branch"): f for f in found}


def _counts(got: dict | None) -> Counts:
    return Counts(**{k: (got or {}).get(k) or 0 for k in COUNTS})


COUNTS = ["total", "open", "overdue", "escalated", "closed", "closed_with_deadline",
          "on_time"]


def _aggregates(today: dt.date, trend: bool) -> dict:
    """The counts (docs/inspections.md), and with `trend` per month of the last six the
    hazards found and closed: each a conditional count on found_on / closed_on in SQL
    (portable, and no per-row date function)."""
    out = {name: Count("pk", filter=cond) if cond else Count("pk")
           for name, cond in _open(today).items()}
    if trend:
        starts = month_starts(today)
        for i, (start, end) in enumerate(zip(starts, starts[1:] + [_next_month(starts[-1])],
                                             strict=True)):
            out[f"found_{i}"] = Count("pk", filter=Q(found_on__gte=start, found_on__lt=end))
            out[f"closed_{i}"] = Count("pk", filter=Q(
                status=HazardStatus.CLOSED, closed_on__gte=start, closed_on__lt=end))
    return out


def _trend(got: dict, today: dt.date) -> list[Month]:
    return [Month(start, date_format(start, "YEAR_MONTH_FORMAT"), got[f"found_{i}"] or 0,
                  got[f"closed_{i}"] or 0) for i, start in enumerate(month_starts(today))]


def month_starts(today: dt.date, months: int = TREND_MONTHS) -> list[dt.date]:
    """The first days of the last `months` months, this month last."""
    starts = [today.replace(day=1)]
    while len(starts) < months:
        starts.insert(0, (starts[0] - dt.timedelta(days=1)).replace(day=1))
    return starts


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


# Each count's filters on the hazard list (the list's own, so it lists what was counted).
LINKS = {"total": "", "open": "&open=true", "overdue": "&overdue=true",
         "escalated": "&escalated=true", "closed": "&status=closed",
         "on_time": "&status=closed&on_time=true"}


def links(code: str) -> dict[str, str]:
    """Each count's link: the hazard list filtered to the unit's subtree and the count's
    condition. Unit codes are slugs; quoted all the same."""
    base = f"{reverse(registry.get('hazards').list_url_name)}?within={quote(code)}"
    return {k: base + suffix for k, suffix in LINKS.items()}


def context(request, unit: Unit, size: int = PAGE_SIZE) -> dict:
    """What the board's template needs (its page, and the authority's home panel)."""
    built = build(request.user, unit, request.GET, size=size)
    # Words every row repeats, translated once.
    labels = {"open": gettext("Still open"), "overdue": gettext("Overdue"),
              "escalated": gettext("Escalated"), "closed": gettext("Closed"),
              "on_time": gettext("Closed on time"), "on_time_rate": gettext("On-time rate"),
              "closure_rate": gettext("Rectification rate"), "none": "—"}
    return {"unit": unit, "board": built, "labels": labels, "on_home": size != PAGE_SIZE}
