"""Rules of the resources app that follow a write (core.registry.RecordServices): a fault
that is open marks its asset faulty, and its restore puts the asset back in service, in
the same transaction as the fault and audited as the same person's change, so that the
standards (R-TECH, R-LIGHT ...) count only assets that work. Likewise a budget's
spending follows its lines, a hazardous material's stock its log, and a bus's next
inspection its passed annual inspections."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from fangfan.core import services
from fangfan.core.registry import RecordServices
from fangfan.resources.models import (
    Asset,
    AssetStatus,
    BudgetLine,
    BusCheckKind,
    BusCheckResult,
    BusInspection,
    Fault,
    HazmatItem,
    HazmatMovement,
    SchoolBus,
    SecurityBudget,
)


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


class BudgetLineServices(RecordServices):
    """A budget's spending is the sum of its lines: kept in step with every write of a
    line, in the line's transaction."""

    def after_save(self, actor, obj: BudgetLine, before: dict[str, Any] | None) -> None:
        settle_spent(actor, obj.budget_id)
        moved_from = (before or {}).get("budget_id")
        if moved_from and moved_from != obj.budget_id:
            settle_spent(actor, moved_from)

    def after_delete(self, actor, obj: BudgetLine) -> None:
        settle_spent(actor, obj.budget_id)


def settle_spent(actor, budget_id: int) -> None:
    budget = SecurityBudget.objects.get(pk=budget_id)
    total = budget.lines.aggregate(total=Sum("spent"))["total"] or Decimal(0)
    if budget.spent != total:
        services.update_following(actor, budget, {"spent": total})


class HazmatMovementServices(RecordServices):
    """A material's stock follows its log; a deletion that would leave less than nothing
    in the store (a receipt whose material was issued since) is refused."""

    def after_save(self, actor, obj: HazmatMovement, before: dict[str, Any] | None) -> None:
        settle_stock(actor, obj.item_id)
        moved_from = (before or {}).get("item_id")
        if moved_from and moved_from != obj.item_id:
            settle_stock(actor, moved_from)

    def after_delete(self, actor, obj: HazmatMovement) -> None:
        settle_stock(actor, obj.item_id)


def settle_stock(actor, item_id: int) -> None:
    item = HazmatItem.objects.get(pk=item_id)
    stock = item.computed_stock()
    if stock < 0:
        raise ValidationError(_(
            "This would leave less than nothing of %(item)s in the store: what was issued "
            "from it is still in the log.") % {"item": item.name})
    if item.stock != stock:
        services.update_following(actor, item, {"stock": stock})


class BusInspectionServices(RecordServices):
    """A passed annual inspection moves its bus's next inspection date forward (never
    back: a late entry of an older inspection does not undo a newer one)."""

    def after_save(self, actor, obj: BusInspection, before: dict[str, Any] | None) -> None:
        if (obj.kind != BusCheckKind.ANNUAL_INSPECTION or obj.result != BusCheckResult.PASSED
                or not obj.next_due_on):
            return
        bus = SchoolBus.objects.get(pk=obj.bus_id)
        if bus.inspection_due_on is None or obj.next_due_on > bus.inspection_due_on:
            services.update_following(actor, bus, {"inspection_due_on": obj.next_due_on})
