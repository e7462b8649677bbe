"""Escalation of hazards (INS-2, issue 9): reminders before the deadline; at the deadline
the unit's administrators and head are told the hazard is overdue; after a grace period
(FANGFAN_HAZARD_GRACE_DAYS) the supervising authority is told and the hazard shows on its
board; a major hazard is reported to the authority at once.

Each pass claims a hazard with a conditional UPDATE of its mark before it notifies, so
two workers, or a pass run twice, notify once."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import notify
from fangfan.core.models import RoleGrant, Unit
from fangfan.core.notify import notify_unit_leads
from fangfan.inspections.models import OPEN_STATUSES, Hazard, Severity

REMIND_DAYS = 3
AUTHORITY_ROLES = ["supervisor", "unit_admin"]


def grace_days() -> int:
    return int(getattr(settings, "FANGFAN_HAZARD_GRACE_DAYS", 3))


def _claim(hazard: Hazard, mark: str, today: dt.date) -> bool:
    return bool(Hazard.objects.filter(pk=hazard.pk, **{f"{mark}__isnull": True})
                .update(**{mark: today}))


def _supervisor_of(hazard: Hazard) -> Unit | None:
    """The unit directly above the hazard's unit: its supervising authority."""
    return Unit.objects.filter(pk=hazard.unit.parent_id).first() if hazard.unit.parent_id \
        else None


def notify_authority(unit: Unit, title: str, body: str, link: str) -> int:
    """The supervisors and administrators of an authority, granted on it, and its group
    robots; urgent, so nobody has muted it."""
    users = set(RoleGrant.objects.filter(unit=unit, role__in=AUTHORITY_ROLES).values_list(
        "user_id", flat=True))
    notify.send(users, title, body, link, unit_path=unit.path, urgent=True,
                channels_of=unit)
    return len(users)


def _escalate(hazard: Hazard, today: dt.date, reason: str) -> bool:
    """Mark the hazard escalated (it shows on the authority's board) and tell the
    authority; False when another pass did it already."""
    if not _claim(hazard, "escalated_on", today):
        return False
    authority = _supervisor_of(hazard)
    if authority is not None:
        title = _("%(unit)s: %(hazard)s") % {"unit": hazard.unit.name,
                                             "hazard": hazard.title}
        notify_authority(authority, title, reason, hazard.get_absolute_url())
    return True


def on_new(hazard: Hazard) -> None:
    """A major hazard is reported to the supervising authority as soon as it is found."""
    if hazard.severity == Severity.MAJOR:
        _escalate(hazard, timezone.localdate(), _("A major hazard was found."))


def run(today: dt.date | None = None) -> dict[str, int]:
    """One escalation pass (the worker runs it hourly; it is idempotent)."""
    today = today or timezone.localdate()
    open_ = Hazard.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False) \
        .select_related("unit")
    counts = {"reminded": 0, "overdue": 0, "escalated": 0}
    soon = open_.filter(reminded_on__isnull=True, deadline__gte=today,
                        deadline__lte=today + dt.timedelta(days=REMIND_DAYS))
    for h in soon:
        if _claim(h, "reminded_on", today):
            notify_unit_leads(h.unit_id, h.unit_path, _("Rectify by %(date)s: %(hazard)s") % {
                "date": h.deadline, "hazard": h.title}, h.measures, h.get_absolute_url())
            counts["reminded"] += 1
    for h in open_.filter(overdue_notified_on__isnull=True, deadline__lt=today):
        if _claim(h, "overdue_notified_on", today):
            notify_unit_leads(h.unit_id, h.unit_path, _("Overdue since %(date)s: %(hazard)s")
                              % {"date": h.deadline, "hazard": h.title}, h.measures,
                              h.get_absolute_url())
            counts["overdue"] += 1
    late = today - dt.timedelta(days=grace_days())
    for h in open_.filter(Q(escalated_on__isnull=True), deadline__lt=late):
        if _escalate(h, today, _("Not rectified %(days)s days after its deadline (%(date)s).")
                     % {"days": (today - h.deadline).days, "date": h.deadline}):
            counts["escalated"] += 1
    return counts
