"""Telling many units at once (docs/alerts.md, "Fan-out"). `core.notify.send` writes a
message for one set of people in a few queries; called once per unit, a province's
50,000 units would cost 200,000 queries. Here the same is done for all the units of an
order together: the people to tell in one query, their languages, addresses and
preferences in two, the units' group robots in one, and the inbox notifications and
deliveries in bulk inserts — run by the worker after the order commits
(`alerts.tasks.tell_units`), so issuing a level does not wait for it. Each reader gets
the message in their own language; e-mails and robot messages then go out through
core.notify's queue like any other (`send_due`)."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fangfan.alerts.models import AlertOrder, ChangeKind, UnitAlert
from fangfan.core.models import (
    Delivery,
    Notification,
    NotificationChannel,
    NotificationPreference,
    RoleGrant,
    User,
)
from fangfan.core.models.notifications import DeliveryKind
from fangfan.core.notify import LEADS

BATCH = 2000
# (unit id, unit path, link) of each unit to tell.
Target = tuple[int, str, str]


def bulk_send(targets: Iterable[Target], words: Callable[[], tuple[str, str]],
              roles: list[str] = LEADS, urgent: bool = False,
              robots: bool = True) -> int:
    """Tell the people granted one of `roles` on each target unit (and, with `robots`,
    the units' group robots) a message worded by `words()` — (title, body) — in each
    reader's language. Returns the inbox notifications written."""
    targets = list(targets)
    if not targets:
        return 0
    where = {unit_id: (path, link) for unit_id, path, link in targets}
    people: list[tuple[int, int]] = []
    for i in range(0, len(targets), BATCH):
        ids = [t[0] for t in targets[i:i + BATCH]]
        people += RoleGrant.objects.filter(unit_id__in=ids, role__in=roles).values_list(
            "unit_id", "user_id").distinct()
    users = {pk: (lang, email) for pk, lang, email in User.objects.filter(
        pk__in={u for _unit, u in people}, is_active=True).values_list(
        "pk", "language", "email")}
    email_off = set(NotificationPreference.objects.filter(
        user_id__in=list(users), email=False).values_list("user_id", flat=True))
    texts: dict[str, tuple[str, str]] = {}

    def worded(language: str) -> tuple[str, str]:
        if language not in texts:
            with translation.override(language):
                title, body = words()
            texts[language] = (title[:200], body)
        return texts[language]

    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    plain, notes, emails = [], [], []
    for unit_id, user_id in people:
        if user_id not in users:
            continue
        language, address = users[user_id]
        title, body = worded(language)
        path, link = where[unit_id]
        if address and (urgent or user_id not in email_off):
            note = Notification(user_id=user_id, unit_path=path, title=title, body=body,
                                link=link[:300], urgent=urgent)
            notes.append(note)
            emails.append((note, address))
        else:  # inbox only: no id needed, so one prepared statement over all of them
            plain.append((user_id, path, title, body, link[:300], urgent, stamp))
    with transaction.atomic():
        if plain:
            sql = (f"INSERT INTO {Notification._meta.db_table} (user_id, unit_path, title, "
                   "body, link, urgent, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)")
            with connection.cursor() as cursor:
                for i in range(0, len(plain), BATCH):
                    cursor.executemany(sql, plain[i:i + BATCH])
        Notification.objects.bulk_create(notes, batch_size=BATCH)
        deliveries = [Delivery(kind=DeliveryKind.EMAIL, notification=note, address=address,
                               unit_path=note.unit_path, title=note.title, body=note.body,
                               link=note.link, urgent=urgent, next_attempt_at=now)
                      for note, address in emails]
        if robots:
            from django.conf import settings

            title, body = worded(settings.LANGUAGE_CODE)
            for i in range(0, len(targets), BATCH):
                ids = [t[0] for t in targets[i:i + BATCH]]
                for channel in NotificationChannel.objects.filter(unit_id__in=ids,
                                                                  active=True):
                    path, link = where[channel.unit_id]
                    deliveries.append(Delivery(
                        kind=channel.kind, channel=channel, unit_path=path, title=title,
                        body=body, link=link[:300], urgent=urgent, next_attempt_at=now))
        if deliveries:
            Delivery.objects.bulk_create(deliveries, batch_size=BATCH)
            transaction.on_commit(_send_soon, robust=True)
    return len(plain) + len(notes)


def _send_soon() -> None:
    from fangfan.core import notify

    notify._send_soon()


def checklist_url(unit_alert_id: int) -> str:
    """The unit's checklist under the level: its alert's page (reversed once, then
    formatted: reversing 50,000 times would take seconds)."""
    global _CHECKLIST
    if _CHECKLIST is None:
        from fangfan.core import registry

        _CHECKLIST = reverse(registry.get("unit-alerts").url_name("detail"), args=[987654321])
    return _CHECKLIST.replace("987654321", str(unit_alert_id))


_CHECKLIST: str | None = None


def tell_units(order_id: int, kind: str) -> int:
    """The leads of every unit under the order: issued, raised, lowered or stood down."""
    order = AlertOrder.objects.select_related("unit").filter(pk=order_id).first()
    if order is None:
        return 0
    targets = [(unit_id, path, checklist_url(pk)) for pk, unit_id, path in
               UnitAlert.objects.filter(order=order).values_list("pk", "unit_id",
                                                                 "unit_path")]

    def words() -> tuple[str, str]:
        level = order.get_level_display()
        titles = {
            ChangeKind.ISSUED: _("%(authority)s issued alert %(level)s"),
            ChangeKind.RAISED: _("%(authority)s raised the alert to %(level)s"),
            ChangeKind.LOWERED: _("%(authority)s lowered the alert to %(level)s"),
            ChangeKind.STOOD_DOWN: _("%(authority)s stood down alert %(level)s"),
        }
        title = titles[kind] % {"authority": order.unit.name, "level": level}
        if kind == ChangeKind.STOOD_DOWN:
            return title, _("Normal prevention resumes.")
        return title, _("%(reason)s Acknowledge it and take its measures.") % {
            "reason": order.reason}

    return bulk_send(targets, words, urgent=kind != ChangeKind.STOOD_DOWN)


def reevaluate(order_id: int) -> None:
    """Recompute the compliance results of the order's subtree (R-ALERT follows)."""
    from fangfan.standards.engine import evaluate_subtree

    path = AlertOrder.objects.filter(pk=order_id).values_list("unit_path", flat=True).first()
    if path:
        evaluate_subtree([path])
