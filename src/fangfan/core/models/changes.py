"""Requests to change what is decided above a unit (issue 13): a school cannot change
its own kind, stage, headcounts or key-target grade (they decide what is required of
it), so it asks its supervising authority, which approves (the change is applied) or
refuses with a reason."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangfan.core.models.records import UnitRecord
from fangfan.core.models.units import KeyTargetGrade, Locale, Stage, UnitKind


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


# The unit's fields a request may change: those decided above it (core.records).
REQUESTED = ("kind", "stage", "locale", "boarding", "staff_count", "student_count",
             "boarder_count", "key_target_grade")


class UnitChangeRequest(UnitRecord):
    """The values a unit asks for; an empty field asks for no change."""

    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices, blank=True)
    stage = models.CharField(_("school stage"), max_length=16, choices=Stage.choices,
                             blank=True)
    locale = models.CharField(_("locale"), max_length=8, choices=Locale.choices, blank=True)
    boarding = models.BooleanField(_("boarding"), null=True, blank=True)
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    student_count = models.PositiveIntegerField(_("students"), null=True, blank=True)
    boarder_count = models.PositiveIntegerField(_("boarders"), null=True, blank=True)
    key_target_grade = models.PositiveSmallIntegerField(
        _("key-target grade"), choices=KeyTargetGrade.choices, null=True, blank=True)
    reason = models.TextField(_("reason"), help_text=_(
        "Why the change is needed, e.g. the new enrolment figures of the term."))
    status = models.CharField(_("decision"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, editable=False, related_name="+",
                                   verbose_name=_("decided by"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["unit_path", "-created_at"]

    def __str__(self) -> str:
        return str(_("Change of %(unit)s") % {"unit": self.unit})

    def changes(self) -> dict:
        """The unit's fields and the values asked for."""
        return {name: getattr(self, name) for name in REQUESTED
                if getattr(self, name) not in (None, "")}

    def clean(self) -> None:
        if not self.changes():
            raise ValidationError(_("Fill in at least one value to change."))
        if self.status == RequestStatus.REFUSED and not self.decision_note.strip():
            raise ValidationError({"decision_note": _("Say why the change is refused.")})
