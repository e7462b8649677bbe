"""Facts of patrols for the standards engine (GB/T 29315-2022: security staff patrol
the key areas at least five times a day), from the rounds and their scans.

A key area is a location of the unit marked as a key location (重要部位, RES-2). Each
ended day of the last seven counts, from the day of the unit's first patrol round (so
the days before it used Fangfan are not held against it); a key location patrolled by
no route counts zero on each of them. docs/patrols.md says how they are counted."""
from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_noop

from fangfan.patrols.models import PatrolRound, PatrolScan
from fangfan.resources.models import Location
from fangfan.standards.facts import fact, family

WINDOW_DAYS = 7

fact("key_area_patrols_fewest", "patrols", "int",
     gettext_noop("The fewest patrols of one key location on one day, over the ended days "
                  "of the last seven since the unit's first patrol round (a key location "
                  "on no route counts none): GB/T 29315-2022 asks five a day."),
     missing=gettext_noop("The unit has no key location, or no ended day of patrols "
                          "yet."))
fact("patrol_checkpoints_missed", "patrols", "int",
     gettext_noop("Checkpoints missed in the patrol rounds of the last seven days."))

# The day window and the per-location counts of one evaluation, for its derive step
# (the query and its derive run one after the other in the same thread).
_run = threading.local()


def _days(first: dt.date, today: dt.date) -> list[dt.date]:
    start = max(first, today - dt.timedelta(days=WINDOW_DAYS))
    return [start + dt.timedelta(days=i) for i in range((today - start).days)]


def fewest(keys: list[int], counts: dict[tuple[int, dt.date], int],
           days: list[dt.date]) -> int | None:
    """The fewest patrols of a key location on one of the days (None: no key location
    or no day)."""
    if not keys or not days:
        return None
    return min(counts.get((key, day), 0) for key in keys for day in days)


def _derive(row: dict, path: str) -> dict:
    today = _run.today
    first = timezone.localdate(row["first"]) if row["first"] else today
    days = _days(first, today)
    return {"key_area_patrols_fewest": fewest(_run.keys.get(path, []),
                                              _run.counts.get(path, {}), days),
            "patrol_checkpoints_missed": row["missed"] or 0}


@family("patrols", derive=_derive, clock=True, source="patrol-rounds", by_path=True,
        queries=3)
def _patrols(scope: Q) -> QuerySet:
    """The units' first round and missed checkpoints of the week, with (read beside it)
    their key locations and the rounds that scanned each on each ended day."""
    now = timezone.now()
    today = _run.today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(
        today - dt.timedelta(days=WINDOW_DAYS), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    keys: dict[str, list[int]] = defaultdict(list)
    for path, pk in Location.objects.filter(scope, is_key=True).values_list("unit_path",
                                                                             "pk"):
        keys[path].append(pk)
    counts: dict[str, dict] = defaultdict(dict)
    rows = PatrolScan.objects.filter(
        scope, scanned_at__gte=start, scanned_at__lt=end,
        location__is_key=True).annotate(
        day=TruncDate("scanned_at", tzinfo=timezone.get_current_timezone())).values(
        "unit_path", "location_id", "day").annotate(
        n=Count("round", distinct=True))
    for r in rows:
        counts[r["unit_path"]][(r["location_id"], r["day"])] = r["n"]
    _run.keys, _run.counts = keys, counts
    week = now - dt.timedelta(days=WINDOW_DAYS)
    return PatrolRound.objects.filter(scope).values("unit_path").annotate(
        first=Min("due_at"),
        missed=Sum("missed", filter=Q(due_at__gte=week, checked_at__isnull=False)))
