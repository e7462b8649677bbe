"""Rules that follow writes of information records: a quarterly situation analysis
meeting fulfils its quarter's calendar obligation (R-MEET); a submission is stamped with
who submitted it and when."""
from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core.registry import RecordServices
from fangfan.information.models import Meeting, MeetingKind
from fangfan.standards import calendar

REF = "R-MEET"


class MeetingServices(RecordServices):
    def after_save(self, actor, obj: Meeting, before) -> None:
        if obj.kind == MeetingKind.SITUATION:
            calendar.fulfil(actor, obj.unit_id, REF, obj.held_on, obj,
                            _("Situation analysis meeting of %(date)s.")
                            % {"date": obj.held_on})


class SubmissionServices(RecordServices):
    def before_save(self, actor, obj, before) -> None:
        """Who submitted and when are stamped, never typed: the latest change counts."""
        if getattr(actor, "is_authenticated", False):
            obj.submitted_by = actor
        obj.submitted_at = timezone.now()


@calendar.fulfiller(REF)
def _catch_up(obligations) -> int:
    """Close R-MEET obligations whose quarter already has a situation analysis meeting
    (recorded before the quarter's obligation was generated)."""
    closed = 0
    for start, end in obligations.values_list("period_start", "period_end").distinct():
        held = Meeting.objects.filter(Q(kind=MeetingKind.SITUATION),
                                      held_on__range=(start, end))
        units = set(held.values_list("unit_id", flat=True))
        for ob in obligations.filter(period_start=start, period_end=end,
                                     unit_id__in=units).select_related("requirement"):
            meeting = held.filter(unit_id=ob.unit_id).order_by("-held_on").first()
            closed += calendar.fulfil(None, ob.unit_id, REF, meeting.held_on, meeting,
                                      _("Situation analysis meeting recorded."))
    return closed
