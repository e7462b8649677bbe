"""The ledger's facts (SPEC STD-2, R-LIAISON): how many entries are open, and how many
of them nobody has contacted for over a week. Counts only, never who: the compliance
pages of those without the ledger grant show a number, not a person."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from fangfan.concerns.models import ConcernEntry, ConcernStatus, ContactLog
from fangfan.standards.facts import fact, fact_day, family

# R-LIAISON: a liaison contacts each open entry at least weekly (seed 002 §六(一)).
CONTACT_DAYS = 7

fact("concern_entries_open", "concerns", "int",
     gettext_noop("Open persons-of-concern entries (0 where the unit has none: the weekly "
                  "contact is then not asked)."), default=0)
fact("concern_entries_contact_overdue", "concerns", "int",
     gettext_noop("Open persons-of-concern entries entered over a week ago and not "
                  "contacted in the last 7 days (R-LIAISON)."),
     source="concern-contacts")


def contact_cutoff(today: dt.date | None = None) -> dt.date:
    """The first day of the last week: a contact on or after it is recent enough."""
    return (today or timezone.localdate()) - dt.timedelta(days=CONTACT_DAYS - 1)


@family("concerns", clock=True, minute=True, source="concern-entries")
def _concerns(scope: Q) -> QuerySet:
    cutoff = contact_cutoff(fact_day())
    recent = ContactLog.objects.filter(entry=OuterRef("pk"), contacted_on__gte=cutoff)
    open_ = Q(status=ConcernStatus.OPEN)
    return (ConcernEntry.objects.filter(scope).annotate(recent=Exists(recent))
            .values("unit_path").annotate(
                concern_entries_open=Count("id", filter=open_),
                concern_entries_contact_overdue=Count("id", filter=open_ & Q(
                    opened_on__lt=cutoff, recent=False))))
