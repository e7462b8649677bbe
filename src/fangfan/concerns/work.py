"""The ledger's work on the home page, for those holding the ledger grant only (the
entries are read through the grant's scope): the weekly contact of each open entry
(R-LIAISON) and its review date. The sentences name the entry's number, never the
person, so a phone's home page shows no name."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fangfan.concerns.facts import CONTACT_DAYS
from fangfan.concerns.models import ConcernStatus
from fangfan.core.work import SOURCE_LIMIT, WorkContext, WorkItem, source


@source
def weekly_contacts(ctx: WorkContext) -> Iterator[WorkItem]:
    """Each open entry's next contact: a week after the last one (or after entry)."""
    qs = ctx.scoped("concern-entries")
    if qs is None:
        return
    week = dt.timedelta(days=CONTACT_DAYS)
    rows = (qs.filter(status=ConcernStatus.OPEN).select_related("unit")
            .annotate(last_contact=Max("contacts__contacted_on"),
                      since=Coalesce(Max("contacts__contacted_on"), "opened_on"))
            .filter(since__lte=ctx.horizon - week).order_by("since", "id")[:SOURCE_LIMIT])
    add = reverse("records:concern-contacts-add")
    for entry in rows:
        due = entry.since + week
        yield WorkItem(title=_("Weekly contact: %(entry)s") % {"entry": entry}, due=due,
                       url=f"{add}?{urlencode({'entry': entry.pk, 'unit': entry.unit_id})}",
                       action=_("Log a contact"), unit=entry.unit.name,
                       detail=_("Last contact: %(date)s") % {
                           "date": entry.last_contact or _("none yet")})


@source
def reviews_due(ctx: WorkContext) -> Iterator[WorkItem]:
    """Open entries whose review date comes: keep them open with a new date, or close."""
    for entry in ctx.due("concern-entries", "review_on", status=ConcernStatus.OPEN):
        yield ctx.item("concern-entries", entry, _("Review the entry"), due=entry.review_on,
                       title=_("Review: %(entry)s") % {"entry": entry})
