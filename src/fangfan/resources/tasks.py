"""Background jobs of the resources area: daily reminders of certificates expiring within
30 days, and the re-evaluation of units whose faults pass their 24-hour mark."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fangfan.core.notify import notify_unit_leads
from fangfan.resources.models import EXPIRY_ALERT_DAYS, Certificate, Fault
from fangfan.standards import engine


def remind_expiring_certificates(today: dt.date | None = None) -> int:
    """Notify the unit's administrators and principal once per certificate that expires
    within 30 days (or has expired unnoticed). Each certificate is claimed by an UPDATE
    first, so two workers never send the same reminder."""
    today = today or timezone.localdate()
    due = Certificate.objects.filter(
        reminded_on__isnull=True,
        expires_on__lte=today + dt.timedelta(days=EXPIRY_ALERT_DAYS))
    sent = 0
    for cert in due.select_related("person"):
        if not Certificate.objects.filter(pk=cert.pk, reminded_on__isnull=True).update(
                reminded_on=today):
            continue
        title = _("%(kind)s of %(person)s expires on %(date)s") % {
            "kind": cert.get_kind_display(), "person": cert.person.name,
            "date": cert.expires_on}
        notify_unit_leads(cert.unit_id, cert.unit_path, title, link=cert.get_absolute_url())
        sent += 1
    return sent


@db_periodic_task(crontab(hour="6", minute="30"))
def daily_certificate_reminders() -> int:
    return remind_expiring_certificates()


@db_periodic_task(crontab(minute="*/15"))
def faults_past_their_clock() -> int:
    """Between nightly runs, a fault passing its 24-hour mark changes R-FAULT: re-evaluate
    the units with open overdue faults (a unit whose inputs did not change writes nothing)."""
    paths = list(Fault.objects.filter(restored_at__isnull=True, due_at__lt=timezone.now())
                 .values_list("unit_path", flat=True).distinct())
    return engine.evaluate_units(paths) if paths else 0
