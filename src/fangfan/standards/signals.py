"""Keeping packs and results current without anyone asking."""
from __future__ import annotations

import logging

from fangfan.core.signals import records_changed

log = logging.getLogger("fangfan.standards")


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
