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
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows_out = []
    for pk, path, *_attrs in rows:
        b, source = base[pk]
        rows_out.append((pk, path, stamp, stamp, order.pk, order.level, b, str(source),
                         measures.guards_required(order.level, b), keys.get(pk, 0), stamp,
                         "", total, 0))
    # One prepared statement run over every row (bulk_create prepares each field of
    # each row through Django, ten times slower at a province's 50,000).
    sql = (f"INSERT INTO {UnitAlert._meta.db_table} (unit_id, unit_path, created_at, "
           "updated_at, order_id, level, baseline, baseline_source, guards_required, "
           "key_locations, issued_at, note, measures_total, measures_done) VALUES "
           "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
    with connection.cursor() as cursor:
        for i in range(0, len(rows_out), BATCH):
            cursor.executemany(sql, rows_out[i:i + BATCH])
    _insert_measures(order, measures.codes(order.level), now)
    AlertOrder.objects.filter(pk=order.pk).update(units_count=len(rows))
    order.units_count = len(rows)
    return len(rows)


def _insert_measures(order: AlertOrder, codes: list[str], now) -> None:
    """One INSERT … SELECT for every measure of every unit of the order: the order's
    alerts crossed with the measures' (number, code) pairs, in the order of the unit's
    path, so each index of the measures grows at its end rather than all over."""
    if not codes:
        return
    ma, ua = AlertMeasure._meta.db_table, UnitAlert._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    pairs = ", ".join(["(%s, %s)"] * len(codes))
    params: list = [stamp, stamp, False]
    for code in codes:
        params += [measures.NUMBER[code], str(code)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ma} (unit_id, unit_path, created_at, updated_at, done, note, "
            f"unit_alert_id, number, code) "
            f"SELECT a.unit_id, a.unit_path, %s, %s, %s, '', a.id, c.column1, c.column2 "
            f"FROM {ua} a CROSS JOIN (VALUES {pairs}) AS c "
            f"WHERE a.order_id = %s ORDER BY a.unit_path, a.id, c.column1",
            [*params, order.pk])


def change(order: AlertOrder, old_level: int) -> None:
    """The order's level changed: every unit acknowledges again; the measures the new
    level drops go, those it adds come, and the leader on duty and the guard force
    (worded by level) are to be done again. A few statements, whatever the units."""
    new = order.level
    now = timezone.now()
    before, after = set(measures.codes(old_level)), set(measures.codes(new))
    ua = UnitAlert._meta.db_table
    ma = AlertMeasure._meta.db_table
    dropped = sorted(str(c) for c in before - after)
    if dropped:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {ma} WHERE unit_alert_id IN (SELECT id FROM {ua} WHERE "
                f"order_id = %s) AND code IN ({', '.join(['%s'] * len(dropped))})",
                [order.pk, *dropped])
    # Only those done are touched (soon after an order, few).
    AlertMeasure.objects.filter(unit_alert__order=order, code__in=measures.BY_LEVEL,
                                done=True).update(done=False, done_at=None, done_by=None,
                                                  guards_on_duty=None, updated_at=now)
    _insert_measures(order, [c for c in measures.codes(new) if c not in before], now)
    required = {1: "2 * baseline", 2: "(3 * baseline + 1) / 2",
                3: "(13 * baseline + 9) / 10"}[new]
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ua} SET level = %s, guards_required = {required}, "
            f"guards_on_duty = NULL, acknowledged_at = NULL, acknowledged_by_id = NULL, "
            f"leads_reminded_at = NULL, escalated_at = NULL, issued_at = %s, "
            f"updated_at = %s, measures_total = %s, measures_done = CASE WHEN "
            f"measures_done = 0 THEN 0 ELSE (SELECT COUNT(*) FROM {ma} WHERE "
            f"{ma}.unit_alert_id = {ua}.id AND {ma}.done = %s) END "
            f"WHERE order_id = %s",
            [new, stamp, stamp, len(after), True, order.pk])
