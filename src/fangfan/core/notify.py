"""Notifications that reach people (SPEC EMG-5, X-6): the in-app inbox, e-mail and the
unit's group robots, through one entry point, `send`.

Every message is first written down: an inbox notification per user and a `Delivery`
row per e-mail or robot, in the caller's transaction. Deliveries are sent by
`send_due` — every minute by the worker, and once right after the commit — each claimed
first by a conditional UPDATE, so two workers never send the same one and a second run
sends nothing again. A failed attempt stays queued with its error; the next one waits
1, 2, 4 … minutes (at most an hour); after GIVE_UP_AFTER attempts it stays failed,
listed, until someone sends it again by hand (`retry`). See docs/notifications.md."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import webhooks
from fangfan.core.models import (
    Delivery,
    Notification,
    NotificationChannel,
    NotificationPreference,
    RoleGrant,
    Unit,
    User,
)
from fangfan.core.models.notifications import DeliveryKind, DeliveryStatus

log = logging.getLogger("fangfan.notify")

LEADS = ["unit_admin", "principal"]
# Who answers for an authority: its supervisors and administrators.
AUTHORITY = ["supervisor", "unit_admin"]
# Backoff after the n-th failed attempt: 2**(n-1) minutes, at most MAX_DELAY.
MAX_DELAY = dt.timedelta(hours=1)
# About a day of attempts (1+2+…+32 minutes, then hourly); then failed until sent by hand.
GIVE_UP_AFTER = 30
# How long a claimed delivery is left to its worker (more than the HTTP and SMTP timeouts).
CLAIM = dt.timedelta(minutes=5)
BATCH = 200


def send(users: Iterable[User | int], title: str, body: str = "", link: str = "", *,
         unit_path: str, urgent: bool = False,
         channels_of: Unit | int | None = None) -> list[Notification]:
    """Notify people about something at the unit `unit_path`; the one way to do it.

    - `users`: users (or their ids) who get it in their inbox, and by e-mail when they
      chose e-mail and have an address. `urgent=True` (an authority's urgent message)
      goes by e-mail even to those who turned e-mail off.
    - `title` (at most 200 characters; longer is cut), `body` (plain text) and `link`
      (a path in the app, e.g. `obj.get_absolute_url()`) in the words the reader reads.
    - `channels_of`: a unit (or its id) whose active group robots (WeCom, DingTalk) also
      get the message, once each, however many users there are.

    Returns the inbox notifications. Call it inside the transaction of the change it
    reports: nothing is sent unless that commits. E-mails and robot messages are sent
    after the commit and retried until they go through (`send_due`)."""
    ids = {getattr(u, "pk", u) for u in users}
    title = title[:200]
    link = link[:300]
    now = timezone.now()
    with transaction.atomic():
        notes = Notification.objects.bulk_create([
            Notification(user_id=u, unit_path=unit_path, title=title, body=body, link=link,
                         urgent=urgent) for u in sorted(ids)])
        deliveries = []
        email_off = set(NotificationPreference.objects.filter(
            user_id__in=ids, email=False).values_list("user_id", flat=True))
        addresses = dict(User.objects.filter(pk__in=ids, is_active=True)
                         .exclude(email="").values_list("pk", "email"))
        common = {"unit_path": unit_path, "title": title, "body": body, "link": link,
                  "urgent": urgent, "next_attempt_at": now}
        for note in notes:
            address = addresses.get(note.user_id)
            if address and (urgent or note.user_id not in email_off):
                deliveries.append(Delivery(kind=DeliveryKind.EMAIL, notification=note,
                                           address=address, **common))
        if channels_of is not None:
            unit_id = getattr(channels_of, "pk", channels_of)
            for channel in NotificationChannel.objects.filter(unit_id=unit_id, active=True):
                deliveries.append(Delivery(kind=channel.kind, channel=channel, **common))
        if deliveries:
            Delivery.objects.bulk_create(deliveries)
            transaction.on_commit(_send_soon, robust=True)
    return notes


def notify_unit_leads(unit_id: int, unit_path: str, title: str, body: str = "",
                      link: str = "", *, urgent: bool = False) -> int:
    """Notify each administrator and principal granted on the unit itself, and the
    unit's group robots. Returns how many people were notified."""
    users = set(RoleGrant.objects.filter(unit_id=unit_id, role__in=LEADS)
                .values_list("user_id", flat=True))
    send(users, title, body, link, unit_path=unit_path, urgent=urgent, channels_of=unit_id)
    return len(users)


def notify_authority(unit_id: int, title: str, body: str = "", link: str = "", *,
                     unit_path: str, urgent: bool = True) -> int:
    """Notify the supervisors and administrators granted on an authority, and its group
    robots, about something at `unit_path` (a unit below it); urgent unless said, so
    nobody has muted it. Returns how many people were notified."""
    users = set(RoleGrant.objects.filter(unit_id=unit_id, role__in=AUTHORITY)
                .values_list("user_id", flat=True))
    send(users, title, body, link, unit_path=unit_path, urgent=urgent, channels_of=unit_id)
    return len(users)


def _send_soon() -> None:
    """Ask the worker to send now; the minute job sends anyway if this is lost."""
    try:
        from fangfan.core.tasks import send_deliveries

        send_deliveries()
    except Exception:  # the queue may be down: the periodic job still sends
        log.exception("could not queue the sending of deliveries")


def delay_after(attempts: int) -> dt.timedelta:
    """The wait before the next attempt after `attempts` failed ones: 1, 2, 4 … minutes,
    at most an hour."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_DELAY)


def due(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def send_due(now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Send the deliveries that are due at `now`; how many went out. Idempotent: each is
    claimed by a conditional UPDATE before sending, and a sent one is never due again."""
    now = now or timezone.now()
    sent = 0
    ids = list(Delivery.objects.filter(due(now)).order_by("next_attempt_at", "pk")
               .values_list("pk", flat=True)[:limit])
    for pk in ids:
        if not Delivery.objects.filter(due(now), pk=pk).update(claimed_until=now + CLAIM):
            continue  # another worker has it
        delivery = Delivery.objects.select_related("channel").get(pk=pk)
        sent += attempt(delivery, now)
    return sent


def attempt(delivery: Delivery, now: dt.datetime) -> bool:
    """One attempt of a claimed delivery; records the outcome."""
    attempts = delivery.attempts + 1
    try:
        _deliver(delivery)
    except Exception as exc:  # any failure is kept with the delivery, never lost
        error = _error_text(exc)
        gave_up = attempts >= GIVE_UP_AFTER
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts, last_error=error, claimed_until=None,
            status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.QUEUED,
            next_attempt_at=now + delay_after(attempts))
        log.warning("delivery %s failed (attempt %s): %s", delivery.pk, attempts, error)
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, status=DeliveryStatus.SENT, sent_at=now, claimed_until=None,
        last_error="")
    return True


def _error_text(exc: Exception) -> str:
    if isinstance(exc, webhooks.Refused):
        return str(exc.message)
    return (str(exc) or type(exc).__name__)[:1000]


def absolute(link: str) -> str:
    """The link as an address outside the app (FANGFAN_BASE_URL), or empty."""
    base = getattr(settings, "FANGFAN_BASE_URL", "")
    if not link or not base:
        return ""
    return base.rstrip("/") + "/" + link.lstrip("/")


def _deliver(delivery: Delivery) -> None:
    if delivery.kind == DeliveryKind.EMAIL:
        text = delivery.body
        if link := absolute(delivery.link):
            text = f"{text}\n\n{link}".strip()
        subject = delivery.title
        if delivery.urgent:
            subject = _("[Urgent] %(title)s") % {"title": subject}
        send_mail(subject, text, None, [delivery.address], fail_silently=False)
        return
    channel = delivery.channel
    if channel is None or not channel.active:
        raise webhooks.SendFailed(_("The group robot was turned off."))
    webhooks.post(channel.kind, channel.url, channel.secret, webhooks.Message(
        delivery.title, delivery.body, absolute(delivery.link), delivery.urgent))


def retry(delivery: Delivery) -> None:
    """Send a delivery again by hand (a failed one, or a queued one now): it starts over
    with its attempts counted from zero."""
    Delivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(),
        claimed_until=None)
    transaction.on_commit(_send_soon, robust=True)
