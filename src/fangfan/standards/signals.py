"""Keeping packs and results current without anyone asking."""
from __future__ import annotations

import logging
from typing import NamedTuple

from django.dispatch import Signal

from fangfan.core.signals import records_changed

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


def _schedule(sender, unit_paths: set[str], **kwargs) -> None:
    """Queue the changed units for re-evaluation a moment later (bursts coalesce into
    few runs; each run is idempotent). In immediate mode (tests) run at once."""
    from huey.contrib.djhuey import HUEY

    from fangfan.standards.tasks import reevaluate

    paths = sorted(unit_paths)
    if HUEY.immediate:
        reevaluate(paths)
    else:
        reevaluate.schedule(args=(paths,), delay=2)


def connect() -> None:
    records_changed.connect(_schedule, dispatch_uid="standards-reevaluate")
