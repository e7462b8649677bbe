"""Escalation of hazards (INS-2, issue 9): reminders before the deadline; at the deadline
the unit's administrators and head are told the hazard is overdue; after a grace period
(FANGFAN_HAZARD_GRACE_DAYS) the supervising authority is told and the hazard shows on its
board; a major hazard is reported to the authority at once.

Each pass claims a hazard with a conditional UPDATE of its mark before it notifies, so
two workers, or a pass run twice, notify once."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import notify
from fangfan.core.models import RoleGrant, Unit
from fangfan.core.models.notifications import NotificationChannel
from fangfan.core.notify import LEADS
from fangfan.inspections import tallies
from fangfan.inspections.models import OPEN_STATUSES, Hazard, Severity

REMIND_DAYS = 3


def grace_days() -> int:
    return int(getattr(settings, "FANGFAN_HAZARD_GRACE_DAYS", 3))


def _claim(hazard: Hazard, mark: str, today: dt.date) -> bool:
    """Set the mark if no pass has (an UPDATE, not save(): only the mark is written); the
    instance takes it too, so that saving it later does not clear it. An escalation
    counts on the board (inspections.tallies) from this UPDATE on."""
    if not Hazard.objects.filter(pk=hazard.pk, **{f"{mark}__isnull": True}) \
            .update(**{mark: today}):
        return False
    setattr(hazard, mark, today)
    return True


def _supervisor_of(hazard: Hazard) -> Unit | None:
    """The unit directly above the hazard's unit: its supervising authority."""
    return Unit.objects.filter(pk=hazard.unit.parent_id).first() if hazard.unit.parent_id \
        else None


def _escalate(hazard: Hazard, today: dt.date, reason: str) -> bool:
    """Mark the hazard escalated (it shows on the authority's board) and tell the
    authority; False when another pass did it already."""
    if not _claim(hazard, "escalated_on", today):
        return False
    tallies.escalated([hazard.pk])
    authority = _supervisor_of(hazard)
    if authority is not None:
        title = _("%(unit)s: %(hazard)s") % {"unit": hazard.unit.name,
                                             "hazard": hazard.title}
        notify.notify_authority(authority.pk, title, reason, hazard.get_absolute_url(),
                                unit_path=authority.path)
    return True


def on_new(hazard: Hazard) -> None:
    """A major hazard is reported to the supervising authority as soon as it is found."""
    if hazard.severity == Severity.MAJOR:
        _escalate(hazard, timezone.localdate(), _("A major hazard was found."))


def run(today: dt.date | None = None) -> dict[str, int]:
    """One escalation pass (the worker runs it hourly; it is idempotent).

    Reads only the hazards due (the (status, deadline) index), by id; then, a batch at a
    time in one transaction, claims each and writes its notifications, with the people
    and robots to tell read once per batch. A batch commits its claims and their
    notifications together (a pass that fails leaves them due for the next), and the
    transaction is the slow part on SQLite (a sync per commit), not each hazard."""
    today = today or timezone.localdate()
    open_ = Hazard.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
    late = today - dt.timedelta(days=grace_days())
    passes = [
        ("reminded", "reminded_on", open_.filter(
            reminded_on__isnull=True, deadline__gte=today,
            deadline__lte=today + dt.timedelta(days=REMIND_DAYS))),
        ("overdue", "overdue_notified_on", open_.filter(overdue_notified_on__isnull=True,
                                                        deadline__lt=today)),
        ("escalated", "escalated_on", open_.filter(escalated_on__isnull=True,
                                                   deadline__lt=late)),
    ]
    counts = {}
    for key, mark, due in passes:
        ids = list(due.order_by("deadline", "pk").values_list("pk", flat=True))
        counts[key] = sum(_pass_batch(key, mark, ids[i:i + BATCH], today)
                          for i in range(0, len(ids), BATCH))
    return counts


BATCH = 500


def _pass_batch(key: str, mark: str, ids: list[int], today: dt.date) -> int:
    done, claimed = 0, []
    with transaction.atomic():
        hazards = list(Hazard.objects.filter(pk__in=ids, **{f"{mark}__isnull": True})
                       .select_related("unit__parent"))
        if key == "escalated":
            told = _reachable({h.unit.parent_id for h in hazards if h.unit.parent_id},
                              notify.AUTHORITY)
        else:
            told = _reachable({h.unit_id for h in hazards}, LEADS)
        for h in hazards:
            if not _claim(h, mark, today):
                continue  # another pass has it
            done += 1
            claimed.append(h.pk)
            if key == "escalated":
                authority = h.unit.parent
                if authority is not None and authority.pk in told:
                    notify.notify_authority(
                        authority.pk, _("%(unit)s: %(hazard)s") % {"unit": h.unit.name,
                                                                  "hazard": h.title},
                        _("Not rectified %(days)s days after its deadline (%(date)s).") % {
                            "days": (today - h.deadline).days, "date": h.deadline},
                        h.get_absolute_url(), unit_path=authority.path)
                continue
            if h.unit_id not in told:
                continue  # nobody to tell: no administrator, principal or robot
            title = (_("Rectify by %(date)s: %(hazard)s") if key == "reminded"
                     else _("Overdue since %(date)s: %(hazard)s")) % {
                "date": h.deadline, "hazard": h.title}
            notify.send(told[h.unit_id], title, h.measures, h.get_absolute_url(),
                        unit_path=h.unit_path, channels_of=h.unit_id)
        if key == "escalated":
            tallies.escalated(claimed)  # the batch's escalations on the board, at once
    return done


def _reachable(unit_ids: set[int], roles: list[str]) -> dict[int, set[int]]:
    """Per unit with someone to tell (a user granted one of `roles` on it, or an active
    group robot), the users: two queries for a batch instead of two per hazard."""
    out: dict[int, set[int]] = {}
    for unit_id, user_id in RoleGrant.objects.filter(unit_id__in=unit_ids, role__in=roles) \
            .values_list("unit_id", "user_id"):
        out.setdefault(unit_id, set()).add(user_id)
    for unit_id in NotificationChannel.objects.filter(unit_id__in=unit_ids, active=True) \
            .values_list("unit_id", flat=True):
        out.setdefault(unit_id, set())
    return out
