"""Facts of patrols for the standards engine (GB/T 29315-2022: security staff patrol
the key areas at least five times a day), from the rounds and their scans.

A key area is a location of the unit marked as a key location (重要部位, RES-2). Each
ended day of the last seven counts, from the day of the unit's first patrol round (so
the days before it used Fangfan are not held against it); a key location patrolled by
no route counts zero on each of them. docs/patrols.md says how they are counted.

Under alert level I the guards patrol around the clock (R-ALERT's measure 14): the
longest gap between the unit's patrol scans is a fact too. Patrols read the alerts'
models; alerts import nothing of patrols (their checklist reads the fact through the
standards' registry), so the dependency runs one way."""
from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_noop

from fangfan.alerts.models import Level, UnitAlert, in_force_q
from fangfan.patrols.models import PatrolRound, PatrolScan
from fangfan.resources.models import Location
from fangfan.standards.facts import fact, fact_time, family, one_path, rows

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


def _key_locations(scope: Q) -> QuerySet:
    """The units' key locations; over more than one unit, only those of units with a
    patrol round (no other unit has a row to derive, and a province keeps hundreds of
    thousands of key locations)."""
    qs = Location.objects.filter(scope, is_key=True)
    if one_path(scope) is None:
        qs = qs.filter(unit_path__in=PatrolRound.objects.filter(scope).values("unit_path"))
    return qs.values_list("unit_path", "pk")


@family("patrols", derive=_derive, clock=True, source="patrol-rounds", by_path=True,
        queries=3)
def _patrols(scope: Q) -> QuerySet:
    """The units' first round and missed checkpoints of the week, with (read beside it)
    their key locations and the rounds that scanned each on each ended day."""
    now = fact_time()
    today = _run.today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(
        today - dt.timedelta(days=WINDOW_DAYS), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    keys: dict[str, list[int]] = defaultdict(list)
    for path, pk in rows("patrols.keys", _key_locations, scope):
        keys[path].append(pk)
    counts: dict[str, dict] = defaultdict(dict)
    for r in rows("patrols.days", lambda scope: PatrolScan.objects.filter(
            scope, scanned_at__gte=start, scanned_at__lt=end,
            location__is_key=True).annotate(
            day=TruncDate("scanned_at", tzinfo=timezone.get_current_timezone())).values(
            "unit_path", "location_id", "day").annotate(
            n=Count("round", distinct=True)), scope):
        counts[r["unit_path"]][(r["location_id"], r["day"])] = r["n"]
    _run.keys, _run.counts = keys, counts
    week = now - dt.timedelta(days=WINDOW_DAYS)
    return rows("patrols", lambda scope: PatrolRound.objects.filter(scope).values(
        "unit_path").annotate(
        first=Min("due_at"),
        missed=Sum("missed", filter=Q(due_at__gte=week, checked_at__isnull=False))), scope)


# --- round-the-clock patrols under alert level I (R-ALERT measure 14, docs/patrols.md) --
# How far back the gaps are read: the ended part of the level, at most the last day.
ALERT_WINDOW = dt.timedelta(hours=24)

fact("alert_patrol_gap_hours", "alert_patrols", "float",
     gettext_noop("The longest time in hours without a patrol scan at the unit while it "
                  "is under alert level I: from the start of the level (at most 24 hours "
                  "back) to the first scan, between consecutive scans, and from the last "
                  "scan to now. Unknown when the unit is under no level I."),
     source="patrol-scans")
fact("alert_patrol_gap_limit_hours", "alert_patrols", "float",
     gettext_noop("The longest time in hours allowed without a patrol scan under alert "
                  "level I (patrols around the clock; setting "
                  "FANGFAN_ALERT_PATROL_GAP_HOURS, 2 by default)."),
     source="patrol-scans")


def longest_gaps(scans, starts: dict[str, dt.datetime],
                 now: dt.datetime) -> dict[str, dt.timedelta]:
    """{unit path: the longest gap} over `scans` ((path, time) ordered by path and time)
    within each unit's window [`starts[path]`, `now`]: start to first scan, scan to
    scan, last scan to now. A unit without scans there has the whole window as its gap.
    Streams the scans, keeping one time per unit."""
    longest = {path: now - start for path, start in starts.items()}
    last: dict[str, dt.datetime] = {}
    for path, at in scans:
        start = starts.get(path)
        if start is None or at < start or at > now:
            continue
        before = last.get(path, start)
        gap = at - before
        longest[path] = gap if path not in last else max(longest[path], gap)
        last[path] = at
    for path, at in last.items():
        longest[path] = max(longest[path], now - at)
    return longest


def _derive_alert(row: dict, path: str) -> dict:
    gap = _run.alert_gaps.get(path)
    return {"alert_patrol_gap_hours": None if gap is None else round(
                gap.total_seconds() / 3600, 2),
            "alert_patrol_gap_limit_hours": float(settings.FANGFAN_ALERT_PATROL_GAP_HOURS)}


@family("alert_patrols", derive=_derive_alert, clock=True, source="patrol-scans",
        by_path=True, queries=2)
def _alert_patrols(scope: Q) -> QuerySet:
    """The units under alert level I now, each with the start of its window (when it came
    under level I — the order's start or the raise to level I — at most 24 hours back),
    read once; beside it their scans in the window, streamed in index order, reduced to
    each unit's longest gap. The rows are those of the first query (already read: its
    cache is what the engine iterates)."""
    now = fact_time()
    alerts = rows("alert_patrols", lambda scope: UnitAlert.objects.filter(
        scope, in_force_q("order__", now), level=Level.ONE).values("unit_path").annotate(
        since=Min(Greatest("order__starts_at", "issued_at"))).order_by(), scope)
    starts = {r["unit_path"]: max(r["since"], now - ALERT_WINDOW) for r in alerts}
    scans: list = []
    if starts:
        under = UnitAlert.objects.filter(in_force_q("order__", now),
                                         unit_path=OuterRef("unit_path"), level=Level.ONE)
        scans = PatrolScan.objects.filter(
            scope, Exists(under), scanned_at__gte=min(starts.values()),
            scanned_at__lte=now).order_by("unit_path", "scanned_at").values_list(
            "unit_path", "scanned_at").iterator(chunk_size=5000)
    _run.alert_gaps = longest_gaps(scans, starts, now)
    return alerts
