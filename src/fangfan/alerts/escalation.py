"""Escalation of missing acknowledgements (SPEC EMG-1, docs/alerts.md): a unit that has
not acknowledged a level in force FANGFAN_ALERT_ACK_HOURS after it was issued (or last
changed) is reminded — its leads and group robots; after twice that time its authority
(the order's supervisors and administrators) is told how many units still have not.

Each pass claims what it sends before telling, a batch at a time (`_claim`): two
workers, or a pass run twice, tell each unit once."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangfan.alerts.models import AlertOrder, UnitAlert, in_force_q
from fangfan.alerts.notifying import bulk_send, checklist_url
from fangfan.core import notify

BATCH = 2000


def ack_hours() -> float:
    return float(getattr(settings, "FANGFAN_ALERT_ACK_HOURS", 2))


def _claim(due, mark: str, now: dt.datetime) -> list[tuple[int, int, str, int]]:
    """Stamp the due rows with `now`, batch by batch, each batch in a transaction that
    reads the rows still unstamped (locked on PostgreSQL, skipping those another worker
    holds; SQLite's write transactions take turns) and stamps exactly those. Returns the
    rows this pass stamped: (alert id, unit id, unit path, order id)."""
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    claimed = []
    for i in range(0, len(ids), BATCH):
        with transaction.atomic():
            rows = list(UnitAlert.objects.select_for_update(skip_locked=True).filter(
                pk__in=ids[i:i + BATCH], **{f"{mark}__isnull": True}).values_list(
                "pk", "unit_id", "unit_path", "order_id"))
            UnitAlert.objects.filter(pk__in=[r[0] for r in rows]).update(**{mark: now})
        claimed += rows
    return claimed


def run(now: dt.datetime | None = None) -> dict[str, int]:
    """One pass at `now` (default: the current time)."""
    now = now or timezone.now()
    wait = dt.timedelta(hours=ack_hours())
    waiting = UnitAlert.objects.filter(in_force_q("order__", now),
                                       acknowledged_at__isnull=True)
    reminded = _claim(waiting.filter(leads_reminded_at__isnull=True,
                                     issued_at__lte=now - wait), "leads_reminded_at", now)
    by_order: dict[int, list] = {}
    for row in reminded:
        by_order.setdefault(row[3], []).append(row)
    for order in AlertOrder.objects.filter(pk__in=list(by_order)).select_related("unit"):
        def words(order=order) -> tuple[str, str]:
            return (_("Acknowledge alert %(level)s of %(authority)s") % {
                "level": order.get_level_display(), "authority": order.unit.name},
                _("Not acknowledged yet, %(hours)s hours after it was issued.") % {
                    "hours": f"{ack_hours():g}"})
        bulk_send([(u, p, checklist_url(pk)) for pk, u, p, _o in by_order[order.pk]],
                  words, urgent=True)
    escalated = _claim(waiting.filter(escalated_at__isnull=True,
                                      issued_at__lte=now - 2 * wait), "escalated_at", now)
    counts: dict[int, int] = {}
    for row in escalated:
        counts[row[3]] = counts.get(row[3], 0) + 1
    for order in AlertOrder.objects.filter(pk__in=list(counts)).select_related("unit"):
        n = counts[order.pk]

        def words(order=order, n=n) -> tuple[str, str]:
            return (ngettext("%(n)s unit has not acknowledged alert %(level)s",
                             "%(n)s units have not acknowledged alert %(level)s", n) % {
                "n": n, "level": order.get_level_display()},
                _("Still not acknowledged %(hours)s hours after it was issued.") % {
                    "hours": f"{2 * ack_hours():g}"})
        bulk_send([(order.unit_id, order.unit_path,
                    order.get_absolute_url())], words,
                  roles=notify.AUTHORITY, urgent=True)
    return {"reminded": len(reminded), "escalated": len(escalated)}
