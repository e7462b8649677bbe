"""Units waiting for their re-evaluation: one marker per unit, so that a burst of writes
in one school (an import, a guard's patrol, a gate morning) costs one re-evaluation, not
one per write.

A write marks its unit (`mark`) and queues a re-evaluation, after its commit, only when
the marker is new. The task takes the markers away (`take`: DELETE … RETURNING) *before*
it reads anything, and evaluates only the units it took. When the mark is made depends on
the database, and whatever the interleaving a write's changes are evaluated:

- SQLite admits one writer at a time: the mark rides in the write's transaction (a
  statement more in a transaction that holds the database anyway). A write whose marker
  is new queues its own task after its commit; one that found the marker there holds
  the database until it commits, so the task that takes the marker does so after the
  commit, and reads it.
- PostgreSQL runs writers side by side: the mark is made after the commit, in a
  statement of its own (`records_changed`). Inside the transaction it would lock the
  marker's row until the commit (ON CONFLICT DO UPDATE locks the row even where its
  WHERE updates nothing), and every write of one school would wait there for the one
  before it: under load that was most of a write's time (docs/benchmarks.md). After the
  commit, a task that takes the marker before the mark reads the write (committed);
  one that takes it after leaves a new marker, whose own task follows.

A marker older than `STALE_SECONDS` is a task that did not run (a queue that refused it
is logged and the write stands): the next write re-stamps it and queues again, the
minutely sweep (`tasks.stale_evaluations`) queues those no write touches, and the
nightly run clears them all before it evaluates everything, reading the records of the
units it cleared (not their kept facts). A task that fails puts its markers back, stale,
for the sweep. A process killed between a commit and its mark on PostgreSQL leaves that
unit to the nightly run (and its facts that no clock moves to the rolling re-read,
`engine.evaluate_subtree`), as a re-evaluation queued after the commit always did."""
from __future__ import annotations

import time

from django.db import connection

from fangfan.standards.models import PendingEvaluation

# A queued task runs two seconds after its write; a marker this old lost its task (the
# queue refused it, or was emptied): the next write of the unit queues another.
STALE_SECONDS = 15


def _table() -> str:
    return connection.ops.quote_name(PendingEvaluation._meta.db_table)


def one_writer_at_a_time() -> bool:
    """Does the database admit one writer at a time (SQLite)? Then a write marks its unit
    inside its transaction; else after its commit (see above)."""
    return connection.vendor == "sqlite"


def mark(path: str) -> bool:
    """Mark the unit at `path` as waiting; True if a re-evaluation must be queued (the
    marker is new, or stale)."""
    table = _table()
    with connection.cursor() as cursor:
        now = time.time()
        cursor.execute(f"INSERT INTO {table} (unit_path, marked_at) VALUES (%s, %s) "
                       f"ON CONFLICT (unit_path) DO UPDATE SET marked_at = %s "
                       f"WHERE {table}.marked_at < %s RETURNING unit_path",
                       [path, now, now, now - STALE_SECONDS])
        return cursor.fetchone() is not None


def take(paths: list[str]) -> list[str]:
    """Remove the markers of these units and say which were there (those to evaluate)."""
    if not paths:
        return []
    marks = ", ".join(["%s"] * len(paths))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE unit_path IN ({marks}) "
                       f"RETURNING unit_path", list(paths))
        return sorted(row[0] for row in cursor.fetchall())


def put_back(paths: list[str]) -> None:
    """After a failed evaluation: mark the units again, already stale, for the sweep."""
    PendingEvaluation.objects.bulk_create(
        [PendingEvaluation(unit_path=p, marked_at=0) for p in paths], ignore_conflicts=True)


def stale(now: float | None = None) -> list[str]:
    """The units marked longer ago than a queued task takes, restamped now: each is
    queued again once per `STALE_SECONDS` until some task takes it."""
    now = time.time() if now is None else now
    old = PendingEvaluation.objects.filter(marked_at__lt=now - STALE_SECONDS)
    paths = sorted(old.values_list("unit_path", flat=True))
    PendingEvaluation.objects.filter(unit_path__in=paths).update(marked_at=now)
    return paths


def clear() -> list[str]:
    """Before the nightly run evaluates every unit: no marker is still needed. Returns
    the units that were marked (their records are read again, not their kept facts)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} RETURNING unit_path")
        return sorted(row[0] for row in cursor.fetchall())
