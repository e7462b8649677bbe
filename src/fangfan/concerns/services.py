"""The ledger's rules that follow reads and writes (core RecordServices): every read is
logged per unit (LedgerRead); a contact, or an entry closed, fulfils the week's R-LIAISON
obligation once every entry still open has been contacted that week; a ledger grant is
stamped with who gave it and never given to oneself."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.concerns.models import (
    ConcernEntry,
    ConcernStatus,
    ContactLog,
    LedgerRead,
    ReadChannel,
)
from fangfan.core import permissions
from fangfan.core.registry import RecordServices, for_model
from fangfan.standards import calendar

RULE = "R-LIAISON"


def log_reads(actor, rows: list[models.Model], channel: str) -> int:
    """One LedgerRead per unit whose records `actor` was shown; returns how many."""
    by_unit: dict[tuple[int, str], list[int]] = defaultdict(list)
    for row in rows:
        by_unit[(row.unit_id, row.unit_path)].append(row.pk)
    if not rows:
        return 0
    kind = for_model(type(rows[0])).slug
    now = timezone.now()
    LedgerRead.objects.bulk_create([
        LedgerRead(unit_id=unit_id, unit_path=path, reader=actor, read_at=now,
                   channel=channel, kind=kind, count=len(ids),
                   record_ids=", ".join(str(pk) for pk in sorted(ids)))
        for (unit_id, path), ids in sorted(by_unit.items(), key=lambda kv: kv[0][1])])
    return len(by_unit)


class LoggedReads(RecordServices):
    """Every page, API answer and export that shows ledger records is logged."""

    def on_view(self, actor, obj: models.Model) -> None:
        log_reads(actor, [obj], ReadChannel.DETAIL)

    def on_read(self, actor, rows: list[models.Model], how: str) -> None:
        log_reads(actor, rows, {"list": ReadChannel.LIST, "api": ReadChannel.API}.get(
            how, ReadChannel.EXPORT))


class EntryServices(LoggedReads):
    def after_save(self, actor, obj: ConcernEntry, before: dict[str, Any] | None) -> None:
        """Closing an entry may leave every other open entry contacted this week."""
        if obj.status == ConcernStatus.CLOSED and obj.closed_on:
            fulfil_week(actor, obj.unit_id, obj.closed_on, obj)


class ContactServices(LoggedReads):
    def after_save(self, actor, obj: ContactLog, before: dict[str, Any] | None) -> None:
        fulfil_week(actor, obj.unit_id, obj.contacted_on, obj)


def unmet_in(unit_id: int, start: dt.date, end: dt.date) -> QuerySet:
    """Entries of the unit that needed a contact in [start, end] without one: open on the
    period's last day (or today, while it runs), entered by then, not contacted within."""
    last = min(end, timezone.localdate())
    contacted = ContactLog.objects.filter(entry=OuterRef("pk"), contacted_on__gte=start,
                                          contacted_on__lte=end)
    return ConcernEntry.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=last), unit_id=unit_id,
        opened_on__lte=last).exclude(Exists(contacted))


def week_done(obligation) -> bool:
    return not unmet_in(obligation.unit_id, obligation.period_start,
                        obligation.period_end).exists()


def fulfil_week(actor, unit_id: int, day: dt.date, record) -> int:
    """Close the unit's R-LIAISON obligation of the week holding `day` when it is met."""
    return calendar.fulfil(actor, unit_id, RULE, day, record,
                           _("Every open entry was contacted this week."), enough=week_done)


@calendar.fulfiller(RULE)
def catch_up(obligations: QuerySet) -> int:
    """Weeks already met by the contacts recorded (before their obligation existed)."""
    closed = 0
    for ob in obligations:
        if not week_done(ob):
            continue
        last = ContactLog.objects.filter(
            unit_id=ob.unit_id, contacted_on__gte=ob.period_start,
            contacted_on__lte=ob.period_end).order_by("-contacted_on").first()
        if last is not None:
            closed += calendar.fulfil(None, ob.unit_id, RULE, last.contacted_on, last,
                                      _("Every open entry was contacted this week."),
                                      enough=week_done)
    return closed


class AccessServices(RecordServices):
    """A ledger grant names who gave it; nobody grants it to themselves."""

    def before_save(self, actor, obj, before: dict[str, Any] | None) -> None:
        if before is None:
            if actor is not None and obj.user_id == actor.pk:
                raise ValidationError({"user": _(
                    "Nobody grants the ledger to themselves: another administrator "
                    "gives it.")})
            obj.granted_by = actor
        elif actor is not None and before.get("user_id") != obj.user_id:
            raise ValidationError({"user": _(
                "A grant is not passed to another account: take it back and give a new "
                "one.")})

    def after_save(self, actor, obj, before: dict[str, Any] | None) -> None:
        permissions.forget_grants(obj.user)

    def after_delete(self, actor, obj) -> None:
        permissions.forget_grants(obj.user)
