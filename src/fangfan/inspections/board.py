"""The authority's hazard board (issue 9): per unit directly below an authority (each
counting its whole subtree) the hazards open, overdue, escalated and closed, closed on
time and the two rates; the subtree's totals; and a trend of six months (found vs
closed). Definitions: docs/inspections.md, "The board".

Read from the exact per-subtree counts kept on every write (`HazardTally`,
inspections.tallies), never from the hazards: the units below are ranked and paged in
SQL (each unit's open, escalated and overdue tallies), then one query reads the page's
units' tallies with the authority's own (its totals and trend). Three queries whatever
the number of units or hazards; a few hundred rows at the top of a province."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from django.core.paginator import Page, Paginator
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
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
from fangfan.inspections.models import HazardTally
from fangfan.inspections.tallies import ALL, due_key, month_key

PAGE_SIZE = 50
# The authority's home page shows the worst units and links to the whole board.
HOME_SIZE = 10
TREND_MONTHS = 6
# Ranking weights: overdue first, then escalated, then open (a unit's counts stay far
# below a million, so one weighted sum orders like the three keys in turn).
W_OVERDUE, W_ESCALATED = 10**12, 10**6


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


def _visible_roots(user, unit: Unit) -> list[str] | None:
    """None when the user may view the whole subtree of `unit` (its own tallies count);
    else the subtrees below it the user may view (those permissions.restrict lets
    through), the outermost only, whose tallies add up to what the user may see."""
    rt = registry.get("hazards")
    if permissions.allowed(user, "view", rt, unit.path):
        return None
    roots: list[str] = []
    for path in sorted(set(permissions.scope_roots(user, "view", rt))):
        if path.startswith(unit.path) and not (roots and path.startswith(roots[-1])):
            roots.append(path)
    return roots


def build(user, unit: Unit, params=None, today: dt.date | None = None,
          size: int = PAGE_SIZE) -> Board:
    """The board of `unit` as `user` may see it: the page of units below it asked for
    by `params` (page), worst first."""
    from django.utils import timezone

    today = today or timezone.localdate()
    params = params or {}
    roots = _visible_roots(user, unit)
    page = Paginator(_ranked(unit, roots, today), size).get_page(params.get("page"))
    rows = [Row(pk, name, code, path, url=reverse("hazard-board-unit", args=[code])
                if below else "") for pk, name, code, path, below, _score in page.object_list]
    page.object_list = rows
    width = len(unit.path) + PATH_SEGMENT_WIDTH
    starts = month_starts(today)
    keys = Q(key__in=ALL + [month_key(k, m) for m in starts for k in ("found", "closed")]) \
        | Q(key__gte=due_key(dt.date.min), key__lt=due_key(today))
    # One query: the page's units' tallies and the authority's (totals and trend), or
    # those of the subtrees the user may view, each added to the unit below it.
    paths = [r.path for r in rows] + [unit.path] if roots is None else roots
    got: dict[str, Counter] = {}
    whole: Counter = Counter()
    for path, key, n in HazardTally.objects.filter(keys, unit_path__in=paths) \
            .values_list("unit_path", "key", "n").order_by():
        if roots is not None or path == unit.path:
            whole[key] += n
        if path != unit.path:
            got.setdefault(path[:width], Counter())[key] += n
    for r in rows:
        r.counts = _counts(got.get(r.path))
        r.links = links(r.code)
        r.url = r.url or r.links["total"]
    return Board(unit=unit, page=page, totals=_counts(whole), totals_links=links(unit.code),
                 trend=[Month(m, date_format(m, "YEAR_MONTH_FORMAT"),
                              whole[month_key("found", m)], whole[month_key("closed", m)])
                        for m in starts], today=today)


def _counts(got: Counter | None) -> Counts:
    got = got or Counter()
    overdue = sum(n for key, n in got.items() if key.startswith("due:"))
    return Counts(overdue=overdue, **{k: got[k] for k in ALL})


def _ranked(unit: Unit, roots: list[str] | None, today: dt.date) -> QuerySet:
    """The units directly below `unit`, worst first: most overdue, then most escalated,
    then most open, then by name. Each unit's score is a weighted sum of its own tallies
    (or of the visible subtrees' below it), ordered and paged in SQL."""
    big = BigIntegerField()
    score = Sum(Case(When(key="open", then=F("n")),
                     When(key="escalated", then=F("n") * Value(W_ESCALATED, output_field=big)),
                     default=F("n") * Value(W_OVERDUE, output_field=big), output_field=big))
    tallies = HazardTally.objects.filter(
        Q(key__in=["open", "escalated"]) | Q(key__gte=due_key(dt.date.min),
                                             key__lt=due_key(today)))
    if roots is None:
        tallies = tallies.filter(unit_path=OuterRef("path"))
    else:
        tallies = tallies.filter(unit_path__in=roots, unit_path__gte=OuterRef("path"),
                                 unit_path__lt=OuterRef("upper"))
    sub = (tallies.order_by().annotate(_one=Value(1)).values("_one").annotate(score=score)
           .values("score"))  # no default ordering: PostgreSQL refuses it in a GROUP BY
    units = Unit.objects.filter(parent=unit)
    if roots is not None:
        units = units.annotate(upper=_upper_bound(unit))
    return (units.annotate(score=Coalesce(Subquery(sub, output_field=big),
                                          Value(0, output_field=big)))
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
