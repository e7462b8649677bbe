"""Putting an alert level on every unit it covers, in bulk (docs/alerts.md, "Fan-out").

Issuing a level for 50,000 units must take seconds, so nothing here runs per unit in the
ORM: the units covered are read in one query, their baselines in one query per source
(`alerts.baseline`) and their key locations in one grouped query; the units' alerts are
bulk-created; each measure of the level is one INSERT … SELECT over the order's alerts
(17 at most, whatever the number of units). A change of level is a few UPDATEs and
INSERTs of the same kind. The order itself is audited (its create or update, through
core.services) with an `AlertChange`; the rows written here are derived from it and are
not audited one by one, like compliance results. Telling the units' leads is queued to
the worker (`alerts.tasks.tell_units`) after the commit."""
from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from fangfan.alerts import measures
from fangfan.alerts.models import AlertMeasure, AlertOrder, UnitAlert
from fangfan.core.models import Unit
from fangfan.core.scoping import path_upper_bound
from fangfan.standards.facts import UNIT_ATTRIBUTES

ATTRS = list(UNIT_ATTRIBUTES)
BATCH = 5000


def covered(order: AlertOrder):
    """The units an order covers: every unit below its authority, narrowed to the
    kinds and stages it names."""
    path = order.unit_path
    q = Q(path__gt=path, path__lt=path_upper_bound(path))
    if order.kinds:
        q &= Q(kind__in=order.kinds)
    if order.stages:
        q &= Q(stage__in=order.stages)
    return Unit.objects.filter(q)


def _key_locations(path: str) -> dict[int, int]:
    from fangfan.resources.models import Location

    return dict(Location.objects.filter(
        unit_path__gt=path, unit_path__lt=path_upper_bound(path), is_key=True)
        .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))


def issue(order: AlertOrder) -> int:
    """Create the alert and measures of every unit the order covers; how many units."""
    from fangfan.alerts.baseline import baselines

    rows = list(covered(order).values_list("pk", "path", *ATTRS))
    base = baselines(order.unit_path, [(r[0], dict(zip(ATTRS, r[2:], strict=True)))
                                       for r in rows])
    keys = _key_locations(order.unit_path)
    now = timezone.now()
    total = len(measures.codes(order.level))
    alerts = []
    for pk, path, *_attrs in rows:
        b, source = base[pk]
        alerts.append(UnitAlert(
            unit_id=pk, unit_path=path, order_id=order.pk, level=order.level, baseline=b,
            baseline_source=source, guards_required=measures.guards_required(order.level, b),
            key_locations=keys.get(pk, 0), issued_at=now, measures_total=total,
            created_at=now, updated_at=now))
    UnitAlert.objects.bulk_create(alerts, batch_size=BATCH)
    _insert_measures(order, measures.codes(order.level), now)
    AlertOrder.objects.filter(pk=order.pk).update(units_count=len(rows))
    order.units_count = len(rows)
    return len(rows)


def _insert_measures(order: AlertOrder, codes: list[str], now) -> None:
    """One INSERT … SELECT per measure over the order's alerts."""
    if not codes:
        return
    ma, ua = AlertMeasure._meta.db_table, UnitAlert._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for code in codes:
            cursor.execute(
                f"INSERT INTO {ma} (unit_id, unit_path, created_at, updated_at, "
                f"unit_alert_id, number, code, done, note) "
                f"SELECT unit_id, unit_path, %s, %s, id, %s, %s, %s, '' FROM {ua} "
                f"WHERE order_id = %s",
                [stamp, stamp, measures.NUMBER[code], str(code), False, order.pk])


def change(order: AlertOrder, old_level: int) -> None:
    """The order's level changed: every unit acknowledges again; the measures the new
    level drops go, those it adds come, and the leader on duty and the guard force
    (worded by level) are to be done again. A few statements, whatever the units."""
    new = order.level
    now = timezone.now()
    before, after = set(measures.codes(old_level)), set(measures.codes(new))
    mine = AlertMeasure.objects.filter(unit_alert__order=order)
    mine.exclude(code__in=after).delete()
    mine.filter(code__in=measures.BY_LEVEL).update(
        done=False, done_at=None, done_by=None, guards_on_duty=None, updated_at=now)
    _insert_measures(order, [c for c in measures.codes(new) if c not in before], now)
    ua = UnitAlert._meta.db_table
    ma = AlertMeasure._meta.db_table
    required = {1: "2 * baseline", 2: "(3 * baseline + 1) / 2",
                3: "(13 * baseline + 9) / 10"}[new]
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ua} SET level = %s, guards_required = {required}, "
            f"guards_on_duty = NULL, acknowledged_at = NULL, acknowledged_by_id = NULL, "
            f"leads_reminded_at = NULL, escalated_at = NULL, issued_at = %s, "
            f"updated_at = %s, measures_total = %s, measures_done = (SELECT COUNT(*) "
            f"FROM {ma} WHERE {ma}.unit_alert_id = {ua}.id AND {ma}.done = %s) "
            f"WHERE order_id = %s",
            [new, stamp, stamp, len(after), True, order.pk])
