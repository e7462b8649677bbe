"""Upkeep of the technical systems: faults with their 24-hour recovery clock (RES-5,
R-FAULT), one-key alarm test calls (RES-4b) and maintenance schedules (RES-5)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.resources.models.catalogue import TECHNICAL, Asset, AssetCategory

RECOVERY_HOURS = 24  # R-FAULT


OWN_ASSET = {"asset": _("The asset belongs to another unit.")}


def _not_future(value, field: str) -> dict:
    if value and value > timezone.now() + dt.timedelta(minutes=5):
        return {field: _("This time lies in the future.")}
    return {}


class Fault(UnitRecord):
    """A fault of a technical system. Reporting it starts a 24-hour recovery clock and
    asks what is done meanwhile (R-FAULT)."""

    same_unit = OWN_ASSET

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="faults",
                              verbose_name=_("asset"),
                              limit_choices_to={"category__in": sorted(TECHNICAL)},
                              error_messages={"invalid": _("Faults are recorded for "
                                                           "technical systems.")})
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    description = models.TextField(_("what is wrong"))
    temporary_measure = models.TextField(
        _("temporary measure"), help_text=_("What protects the place until the repair, "
                                            "e.g. a guard posted at the gate."))
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    restored_note = models.CharField(_("repair note"), max_length=200, blank=True)
    # Stored so that lists filter and sort on it: reported_at + 24 h.
    due_at = models.DateTimeField(_("restore by"), editable=False, null=True)

    class Meta:
        verbose_name = _("fault")
        verbose_name_plural = _("faults")
        ordering = ["unit_path", "-reported_at"]
        indexes = [models.Index(fields=["unit_path", "restored_at"])]

    def __str__(self) -> str:
        return f"{self.asset} · {timezone.localtime(self.reported_at):%Y-%m-%d %H:%M}"

    @property
    def overdue(self) -> bool:
        """Not restored within 24 hours (still open past the mark, or restored late)."""
        end = self.restored_at or timezone.now()
        return end > self.due_at

    def clean(self) -> None:
        errors = _not_future(self.reported_at, "reported_at")
        errors |= _not_future(self.restored_at, "restored_at")
        if self.restored_at and self.reported_at and self.restored_at < self.reported_at:
            errors["restored_at"] = _("A fault cannot be restored before it was reported.")
        if not (self.temporary_measure or "").strip():
            errors["temporary_measure"] = _("Say what protects the place until the repair.")
        if errors:
            raise ValidationError(errors)
        if self.reported_at:
            self.due_at = self.reported_at + dt.timedelta(hours=RECOVERY_HOURS)


ALARMS = {AssetCategory.ONE_KEY_ALARM, AssetCategory.EMERGENCY_BUTTON}


class AlarmTest(UnitRecord):
    """A test call of a one-key alarm to the police (RES-4b)."""

    same_unit = OWN_ASSET

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="alarm_tests",
                              verbose_name=_("alarm"),
                              limit_choices_to={"category__in": ["emergency_button",
                                                                 "one_key_alarm"]},
                              error_messages={"invalid": _(
                                  "Only one-key alarms and emergency buttons are tested "
                                  "this way.")})
    tested_at = models.DateTimeField(_("tested at"), default=timezone.now)
    answered = models.BooleanField(_("police answered"), default=True)
    response_seconds = models.PositiveIntegerField(_("response (seconds)"), null=True,
                                                   blank=True)
    tested_by = models.CharField(_("tested by"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("alarm test")
        verbose_name_plural = _("alarm tests")
        ordering = ["unit_path", "-tested_at"]

    def __str__(self) -> str:
        return f"{self.asset} · {timezone.localtime(self.tested_at):%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        errors = _not_future(self.tested_at, "tested_at")
        if self.response_seconds is not None and not self.answered:
            errors["response_seconds"] = _("An unanswered call has no response time.")
        if errors:
            raise ValidationError(errors)


class UpkeepKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")  # 检查
    MAINTENANCE = "maintenance", _("Maintenance")  # 维护
    CALIBRATION = "calibration", _("Calibration")  # 校验


class MaintenanceSchedule(UnitRecord):
    """Periodic inspection, maintenance or calibration of an asset (RES-5)."""

    same_unit = OWN_ASSET

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="schedules",
                              verbose_name=_("asset"))
    kind = models.CharField(_("kind"), max_length=16, choices=UpkeepKind.choices)
    every_days = models.PositiveIntegerField(_("every (days)"),
                                             validators=[MinValueValidator(1)])
    last_done_on = models.DateField(_("last done on"), null=True, blank=True)
    next_due_on = models.DateField(_("next due on"), editable=False, null=True)

    unique_error = ("kind", _("This asset already has a schedule of this kind."))
    number_limits = {"every_days": 3660}  # ten years: the next date stays a date

    class Meta:
        verbose_name = _("maintenance schedule")
        verbose_name_plural = _("maintenance schedules")
        ordering = ["unit_path", "next_due_on"]
        constraints = [models.UniqueConstraint(fields=["asset", "kind"],
                                               name="unique_schedule_per_asset_kind")]

    def __str__(self) -> str:
        return f"{self.asset} · {self.get_kind_display()}"

    @property
    def overdue(self) -> bool:
        return self.next_due_on is not None and self.next_due_on < timezone.localdate()

    def clean(self) -> None:
        errors = {}
        if self.last_done_on and self.last_done_on > timezone.localdate():
            errors["last_done_on"] = _("This date lies in the future.")
        if errors:
            raise ValidationError(errors)
        start = self.last_done_on or timezone.localdate()
        if self.every_days:
            self.next_due_on = start + dt.timedelta(days=self.every_days)

