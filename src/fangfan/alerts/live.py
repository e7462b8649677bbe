"""The authority's live page of a level (SPEC EMG-1): per unit under it, acknowledged or
not (when) and its measures done of all, worst first, paged in SQL; and the totals.

A constant number of queries whatever the number of units: the page's alerts ranked and
paged on the (order, acknowledged_at, measures_done) index with their units joined, the
count for the pager, and one aggregate for the totals. The counts of measures are kept
on each unit's alert by the services, so nothing is counted per unit here."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, Sum

from fangfan.alerts.models import AlertOrder, UnitAlert
from fangfan.core import permissions, registry

PAGE_SIZE = 50


@dataclass
class Totals:
    units: int = 0
    acknowledged: int = 0
    measures: int = 0
    done: int = 0
    complete: int = 0

    @property
    def waiting(self) -> int:
        return self.units - self.acknowledged


@dataclass
class Live:
    order: AlertOrder
    page: Page
    totals: Totals


def build(user, order: AlertOrder, params=None, size: int = PAGE_SIZE) -> Live:
    """Units not acknowledged first, then by measures done (fewest first; every unit of
    an order has the same measures), then in the order they were put under the level
    (the tree's); only the alerts the user may view. The order is the live index's, so
    a page is read without sorting the order's units."""
    params = params or {}
    alerts = UnitAlert.objects.filter(order=order)
    rt = registry.get("unit-alerts")
    if not permissions.allowed(user, "view", rt, order.unit_path):
        alerts = alerts.filter(permissions.restrict(user, "view", rt))
    if params.get("waiting"):
        alerts = alerts.filter(acknowledged_at__isnull=True)
    ranked = (alerts.select_related("unit")
              .order_by(F("acknowledged_at").asc(nulls_first=True), "measures_done",
                        "measures_total", "pk")
              .only("pk", "unit_id", "unit_path", "acknowledged_at", "measures_done",
                    "measures_total", "guards_required", "guards_on_duty", "level",
                    "unit__name", "unit__code"))
    page = Paginator(ranked, size).get_page(params.get("page"))
    got = alerts.aggregate(
        units=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        measures=Sum("measures_total"), done=Sum("measures_done"),
        complete=Count("pk", filter=Q(measures_done=F("measures_total"),
                                      measures_total__gt=0)))
    return Live(order, page, Totals(**{k: v or 0 for k, v in got.items()}))
