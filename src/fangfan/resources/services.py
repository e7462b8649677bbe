"""Rules of the resources app that follow a write (core.registry.RecordServices): a fault
that is open marks its asset faulty, and its restore puts the asset back in service, in
the same transaction as the fault and audited as the same person's change, so that the
standards (R-TECH, R-LIGHT ...) count only assets that work."""
from __future__ import annotations

from typing import Any

from fangfan.core import services
from fangfan.core.registry import RecordServices
from fangfan.resources.models import Asset, AssetStatus, Fault


def settle_status(actor, asset: Asset) -> None:
    """Faulty while any of its faults is open; in service again once the last one is
    restored. A retired asset stays retired."""
    still_open = Fault.objects.filter(asset=asset, restored_at__isnull=True).exists()
    if still_open and asset.status == AssetStatus.IN_SERVICE:
        services.update_following(actor, asset, {"status": AssetStatus.FAULTY})
    elif not still_open and asset.status == AssetStatus.FAULTY:
        services.update_following(actor, asset, {"status": AssetStatus.IN_SERVICE})


class FaultServices(RecordServices):
    """Keeps the asset's status in step with its faults."""

    def after_save(self, actor, obj: Fault, before: dict[str, Any] | None) -> None:
        settle_status(actor, Asset.objects.get(pk=obj.asset_id))
        moved_from = (before or {}).get("asset_id")
        if moved_from and moved_from != obj.asset_id:  # the fault was put on another asset
            settle_status(actor, Asset.objects.get(pk=moved_from))

    def after_delete(self, actor, obj: Fault) -> None:
        """A fault recorded by mistake and deleted no longer keeps its asset faulty."""
        settle_status(actor, Asset.objects.get(pk=obj.asset_id))
