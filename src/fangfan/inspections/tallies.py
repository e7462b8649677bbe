"""Exact counts of hazards per unit subtree (`HazardTally`), the source of the hazard
board (issue 9; docs/inspections.md, "The board"): the board of the top of a province
sums a few hundred rows instead of reading 1.3 million hazards.

Each hazard adds 1 to some keys (`keys_of`) of its own unit and of every unit above it:
"total"; "open" or "closed"; "escalated" (open, escalated); "closed_with_deadline" and
"on_time" (closed); "found:YYYY-MM" and "closed:YYYY-MM" (the trend); and, open with a
deadline, "due:YYYY-MM-DD", so that "overdue" (open, deadline before today) is the sum of
the due keys before today's, whatever day it is.

Every write keeps them exact, inside its own transaction:

- `Hazard.save()` (core.services, steps, direct saves) reads the stored row locked
  (`stored`) before writing and applies the difference between its old and new keys
  after (`saved`); a delete takes the stored row's keys away (`pre_delete`/`post_delete`,
  also for QuerySet.delete());
- the bulk writes that bypass save() add their share themselves: the gap hazards' INSERT
  (inspections.gaps), synthetic data (inspections.synthetic), the escalation worker's
  claims of `escalated_on` (`escalated`);
- `apply` adds the differences with one `INSERT … ON CONFLICT DO UPDATE SET n = n + d` in
  (unit_path, key) order: atomic per row and locked to the end of the transaction, so
  concurrent writers add up, never overwrite each other.

`rebuild()` recounts them all from the hazards (`fangfan hazard_tallies`); a write made
behind the application's back (raw SQL, `QuerySet.update()` of these fields) needs it."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models.signals import post_delete, pre_delete

from fangfan.core import bulk
from fangfan.core.models.units import PATH_SEGMENT_WIDTH
from fangfan.core.prepared import Prepared
from fangfan.inspections.models import OPEN_STATUSES, Hazard, HazardStatus, HazardTally

# The counts of all time; the board's definitions (docs/inspections.md).
ALL = ["total", "open", "escalated", "closed", "closed_with_deadline", "on_time"]
# The stored fields a hazard's keys depend on, unit_path first.
COLUMNS = ["unit_path", "status", "found_on", "deadline", "closed_on", "escalated_on"]
CHUNK = 300  # rows per INSERT (3 parameters each)


def _day(value) -> dt.date | None:
    """A date, from a date or its ISO text (as an unsaved instance may hold it)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def keys_of(status: str, found_on, deadline, closed_on, escalated_on) -> list[str]:
    """The keys one hazard adds 1 to (docs/inspections.md, "The board")."""
    found_on, deadline, closed_on = _day(found_on), _day(deadline), _day(closed_on)
    keys = ["total"]
    if found_on:
        keys.append(f"found:{found_on:%Y-%m}")
    if status in OPEN_STATUSES:
        keys.append("open")
        if escalated_on:
            keys.append("escalated")
        if deadline:
            keys.append(due_key(deadline))
    elif status == HazardStatus.CLOSED:
        keys.append("closed")
        if closed_on:
            keys.append(f"closed:{closed_on:%Y-%m}")
        if deadline:
            keys.append("closed_with_deadline")
            if closed_on and closed_on <= deadline:
                keys.append("on_time")
    return keys


def due_key(day: dt.date) -> str:
    """Open hazards due on `day`; "overdue" today is every due key below due_key(today)
    (ISO dates compare as text)."""
    return f"due:{day.isoformat()}"


def month_key(kind: str, start: dt.date) -> str:
    return f"{kind}:{start:%Y-%m}"


def ancestors(path: str) -> list[str]:
    """The unit's own path and those of every unit above it."""
    return [path[:end] for end in range(PATH_SEGMENT_WIDTH, len(path) + 1,
                                        PATH_SEGMENT_WIDTH)]


def add(deltas: Counter, row: Sequence, sign: int = 1) -> None:
    """Add (or with sign -1 take away) a hazard given as its COLUMNS values."""
    keys = keys_of(*row[1:])
    for path in ancestors(row[0]):
        for key in keys:
            deltas[(path, key)] += sign


def _row(obj: Hazard) -> tuple:
    return tuple(getattr(obj, name) for name in COLUMNS)


def stored(pk: int) -> tuple | None:
    """A hazard's stored COLUMNS, its row locked until the transaction ends (PostgreSQL;
    SQLite has one writer at a time)."""
    found = _STORED.rows(pk)
    return found[0] if found else None


# Read before every save of a hazard, inside its write: compiled once (`core.prepared`).
_STORED = Prepared(lambda pk: Hazard._base_manager.select_for_update().filter(pk=pk)
                   .order_by().values_list(*COLUMNS)[:1], -7_000_000_501)


def saved(obj: Hazard, old: tuple | None, update_fields: Iterable[str] | None = None) -> None:
    """After `obj` was saved: its new keys less those of the stored row before."""
    new = _row(obj)
    if old is not None and update_fields is not None:  # the other fields were not written
        written = set(update_fields)
        new = tuple(v if name in written else o
                    for name, v, o in zip(COLUMNS, new, old, strict=True))
    deltas: Counter = Counter()
    if old is not None:
        add(deltas, old, -1)
    add(deltas, new)
    apply(deltas)


def created(hazards: Iterable[Hazard]) -> None:
    """Hazards written by a bulk INSERT (bulk_create), which bypasses save()."""
    deltas: Counter = Counter()
    for h in hazards:
        add(deltas, _row(h))
    apply(deltas)


def escalated(pks: Iterable[int], sign: int = 1) -> None:
    """Hazards whose `escalated_on` a conditional UPDATE has just set (sign -1: cleared):
    the open ones among them count as escalated (their rows are locked by the UPDATE, so
    their status is the stored one until the transaction ends)."""
    pks = list(pks)
    if not pks:
        return
    deltas: Counter = Counter()
    for path, n in _open_paths(pks).items():
        for anc in ancestors(path):
            deltas[(anc, "escalated")] += sign * n
    apply(deltas)


def _open_paths(pks: list[int]) -> Counter:
    out: Counter = Counter()
    for i in range(0, len(pks), 500):
        out.update(Hazard._base_manager.filter(pk__in=pks[i:i + 500],
                                               status__in=OPEN_STATUSES)
                   .values_list("unit_path", flat=True))
    return out


def apply(deltas: Counter) -> None:
    """Add each (unit_path, key) difference to its row (created at the first), in a fixed
    order so that two writers lock rows the same way round; rows that fall to zero are
    removed (a past deadline's, a hazard moved away)."""
    rows = sorted((path, key, n) for (path, key), n in deltas.items() if n)
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(HazardTally._meta.db_table)
    cols = f"{quote('unit_path')}, {quote('key')}, {quote('n')}"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), CHUNK):
            chunk = rows[i:i + CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({cols}) VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))}"
                f" ON CONFLICT ({quote('unit_path')}, {quote('key')}) DO UPDATE SET"
                f" {quote('n')} = {table}.{quote('n')} + excluded.{quote('n')}",
                [v for row in chunk for v in row])
        fell = [(p, k) for p, k, n in rows if n < 0]
        if fell:
            HazardTally.objects.filter(n=0, unit_path__in={p for p, _k in fell},
                                       key__in={k for _p, k in fell}).delete()


def rebuild(hazards=None, tallies=None) -> int:
    """Recount every tally from the hazards: one pass over them (unit_path and the five
    fields the keys depend on, in Python with `keys_of` itself, so a recount can only
    agree with the running counts), added up per unit, then rolled up to the units above.
    `hazards`/`tallies`: the models (a migration passes its historical ones)."""
    hazards = hazards or Hazard
    tallies = tallies or HazardTally
    own: Counter = Counter()
    rows = (hazards._base_manager.order_by().values_list(*COLUMNS)
            .iterator(chunk_size=20000))
    for row in rows:
        path = row[0]
        for key in keys_of(*row[1:]):
            own[(path, key)] += 1
    total: Counter = Counter()
    for (path, key), n in own.items():
        for anc in ancestors(path):
            total[(anc, key)] += n
    with transaction.atomic():
        tallies._base_manager.all().delete()
        bulk.insert(tallies, ["unit_path", "key", "n"],
                    sorted((p, k, n) for (p, k), n in total.items() if n))
    return len(total)


def _before_delete(sender, instance: Hazard, **kwargs) -> None:
    instance._tally_stored = stored(instance.pk) if instance.pk else None


def _after_delete(sender, instance: Hazard, **kwargs) -> None:
    old = getattr(instance, "_tally_stored", None)
    if old is not None:
        deltas: Counter = Counter()
        add(deltas, old, -1)
        apply(deltas)


def connect() -> None:
    pre_delete.connect(_before_delete, sender=Hazard, dispatch_uid="hazard-tallies-pre")
    post_delete.connect(_after_delete, sender=Hazard, dispatch_uid="hazard-tallies-post")
