"""Keeping packs and results current without anyone asking."""
from __future__ import annotations

import logging
from typing import NamedTuple

from django.db import transaction
from django.dispatch import Signal

from fangfan.core.signals import records_changed, records_changing

log = logging.getLogger("fangfan.standards")


class Transition(NamedTuple):
    """A stored result whose status changed: `old` is None when the unit had no result
    for the requirement, `new` is None when it has none any more (a pack no longer
    active); `required` and `actual` are the new figures."""

    unit_id: int
    unit_path: str
    requirement_id: int
    old: str | None
    new: str | None
    required: float | None = None
    actual: float | None = None


# Sent by the engine inside the transaction that stores the results, after they are
# stored, with `transitions` (list of Transition): only results whose status changed, so
# a receiver never sees results that merely held. Domain apps subscribe (inspections:
# gap-raised hazards, SPEC STD-5); a receiver's writes commit or roll back with the
# results. The engine reads the old statuses only while someone listens.
results_changed = Signal()


def install_shipped_packs(sender, **kwargs) -> None:
    """After `migrate`, install the shipped packs whose files changed (by checksum)."""
    from fangfan.standards import loader
    from fangfan.standards.models import Pack

    sources = loader.read(loader.shipped_paths())
    known = dict(Pack.objects.values_list("urn", "checksum"))
    changed = [s for s in sources if known.get(s.data["urn"]) != s.checksum]
    if changed:
        loader.install(changed)
        log.info("installed %d standard pack(s)", len(changed))


def _mark(sender, unit_path: str, **kwargs) -> None:
    """Inside the write's transaction, where the database admits one writer at a time:
    mark the unit as waiting and, when no re-evaluation is already queued for it, queue
    one after the commit, a moment later (a burst of writes in the unit waits for that
    one run: `pending`)."""
    from huey.contrib.djhuey import HUEY

    from fangfan.standards import pending

    if not HUEY.immediate and pending.one_writer_at_a_time() and pending.mark(unit_path):
        transaction.on_commit(lambda: _queue([unit_path]), robust=True)


def _mark_committed(sender, unit_paths: set[str], **kwargs) -> None:
    """After the write's commit, where writers run side by side: the same marks, each
    its own statement (`pending`)."""
    from huey.contrib.djhuey import HUEY

    from fangfan.standards import pending

    if not HUEY.immediate and not pending.one_writer_at_a_time():
        _queue([path for path in sorted(unit_paths) if pending.mark(path)])


def _queue(paths: list[str]) -> None:
    from fangfan.standards.tasks import reevaluate

    for path in paths:
        reevaluate.schedule(args=([path],), delay=2)


def _evaluate_now(sender, unit_paths: set[str], **kwargs) -> None:
    """Without a worker (tests, HUEY immediate): evaluate the changed units on commit."""
    from huey.contrib.djhuey import HUEY

    from fangfan.standards import engine

    if HUEY.immediate:
        engine.evaluate_units(sorted(unit_paths))


def connect() -> None:
    records_changing.connect(_mark, dispatch_uid="standards-mark")
    records_changed.connect(_mark_committed, dispatch_uid="standards-mark-committed")
    records_changed.connect(_evaluate_now, dispatch_uid="standards-reevaluate")
