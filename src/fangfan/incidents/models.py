"""Incidents (SPEC EMG-4): an incident reported with one key from a page, a phone or an
alarm device (through a signed webhook), its timeline, the tasks of the response groups
it activates, its reports to the police and the authorities against the local reporting
limits, its public statements approved through the spokesperson, and its closure with
the aftermath summary and lessons. Every part is a record of the one record machinery."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.core.models.notifications import SecretField
from fangfan.organisation.models import RESPONSE_GROUPS, Body
from fangfan.resources.models import Location, Person

# Without a limit of the unit or above (ReportingLimit): 2 hours for a general and 1
# hour for a major incident, from its occurrence (one school's rules, SPEC EMG-4).
DEFAULT_LIMITS = {"general": 120, "major": 60}


def _not_future(value, name: str) -> dict:
    if value and value > timezone.now() + dt.timedelta(minutes=1):
        return {name: _("This time has not come yet.")}
    return {}


class Severity(models.TextChoices):
    GENERAL = "general", _("General")  # 一般
    MAJOR = "major", _("Major")  # 重大


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Being handled")  # 处置中
    CLOSED = "closed", _("Closed")  # 已结案


class IncidentSource(models.TextChoices):
    PAGE = "page", _("Reported by a person")
    DEVICE = "device", _("Alarm device")


class ReportingLimit(UnitRecord):
    """How soon a unit (and the units under it) reports an incident to the police and
    the authorities, counted from its occurrence: a local rule, published down."""

    general_minutes = models.PositiveIntegerField(
        _("general incident: report within (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)])
    major_minutes = models.PositiveIntegerField(
        _("major incident: report within (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)])
    basis = models.CharField(_("basis"), max_length=200, blank=True,
                             help_text=_("The rule the limits come from."))

    unique_error = ("unit", _("This unit already has its reporting limits."))
    number_limits = {"general_minutes": 7 * 24 * 60, "major_minutes": 7 * 24 * 60}

    class Meta:
        verbose_name = _("reporting limits")
        verbose_name_plural = _("reporting limits")
        ordering = ["unit_path"]
        constraints = [models.UniqueConstraint(fields=["unit"],
                                               name="one_reporting_limit_per_unit")]

    def __str__(self) -> str:
        return str(_("Reporting limits of %(unit)s") % {"unit": self.unit})

    def clean(self) -> None:
        if self.general_minutes and self.major_minutes and \
                self.major_minutes > self.general_minutes:
            raise ValidationError({"major_minutes": _(
                "A major incident is reported at least as soon as a general one.")})


class AlarmDevice(UnitRecord):
    """An alarm device (a one-key alarm box, an intrusion panel) that reports incidents
    through the signed webhook `POST /hooks/alarm/<id>/` (docs/incidents.md)."""

    same_unit = {"location": _("The location belongs to another unit.")}

    name = models.CharField(_("name"), max_length=100)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("location"))
    secret = SecretField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("At least 32 characters, set in the device too. It is not shown again "
                    "after saving; leave empty to keep the saved one."))
    active = models.BooleanField(_("active"), default=True)

    unique_error = ("name", _("This unit already has an alarm device of this name."))

    class Meta:
        verbose_name = _("alarm device")
        verbose_name_plural = _("alarm devices")
        ordering = ["unit_path", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="unique_alarm_device_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        stored = ""
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list(
                "secret", flat=True).first() or ""
        if not self.secret:
            self.secret = stored  # an empty box keeps the saved secret
        if not self.secret:
            raise ValidationError({"secret": _("Set the signing secret the device signs "
                                               "its messages with.")})
        if self.secret != stored and len(self.secret) < 32:
            raise ValidationError({"secret": _("The signing secret has at least 32 "
                                               "characters.")})


class RefusalReason(models.TextChoices):
    SIGNATURE = "signature", _("Wrong signature")
    STALE = "stale", _("Time stamp too old or in the future")
    REPLAY = "replay", _("Repeated message (replay)")
    MALFORMED = "malformed", _("Unreadable message")
    INACTIVE = "inactive", _("Device switched off")


class AlarmRefusal(UnitRecord):
    """A message from an alarm device's address that was refused, kept for the unit's
    administrators (a wrong secret in the device, its clock, or someone probing)."""

    device = models.ForeignKey(AlarmDevice, on_delete=models.CASCADE,
                               related_name="refusals", verbose_name=_("alarm device"))
    at = models.DateTimeField(_("received at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=16, choices=RefusalReason.choices)
    address = models.CharField(_("from address"), max_length=64, blank=True)

    same_unit = {"device": _("The alarm device belongs to another unit.")}

    class Meta:
        verbose_name = _("refused alarm message")
        verbose_name_plural = _("refused alarm messages")
        ordering = ["unit_path", "-at"]
        indexes = [models.Index(fields=["unit_path", "at"])]

    def __str__(self) -> str:
        return f"{self.device} · {self.get_reason_display()}"


class AlarmNonce(models.Model):
    """A signature accepted from a device, kept for the time window: the same message
    again is a replay. The unique constraint decides between two at the same moment."""

    device = models.ForeignKey(AlarmDevice, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "signature"],
                                               name="alarm_signature_once")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return self.signature[:12]


class Incident(UnitRecord):
    """An incident at a unit, from the one-key report to its closure."""

    same_unit = {"location": _("The location belongs to another unit.")}

    title = models.CharField(_("what happened"), max_length=200)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("where"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices,
                                default=Severity.GENERAL)
    description = models.TextField(_("details"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=8, choices=IncidentStatus.choices,
                              default=IncidentStatus.OPEN)
    aftermath = models.TextField(_("aftermath summary"), blank=True, help_text=_(
        "What was done after the scene was under control: the people looked after, "
        "damage, cooperation with the police. Required to close."))
    lessons = models.TextField(_("lessons learned"), blank=True,
                               help_text=_("Required to close."))

    source = models.CharField(_("reported through"), max_length=8,
                              choices=IncidentSource.choices, default=IncidentSource.PAGE,
                              editable=False)
    device = models.ForeignKey(AlarmDevice, on_delete=models.SET_NULL, null=True,
                               blank=True, editable=False, related_name="incidents",
                               verbose_name=_("alarm device"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, editable=False,
                                    related_name="+", verbose_name=_("reported by"))
    # occurred_at + the unit's limit for its severity: when it must have been reported.
    report_by = models.DateTimeField(_("report by"), null=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # The people accounted for after the evacuation or lockdown (emergency app, EMG-3a),
    # started from the incident's page.
    accounting = models.ForeignKey("emergency.AccountingRound", on_delete=models.SET_NULL,
                                   null=True, blank=True, editable=False, related_name="+",
                                   verbose_name=_("accounting round"))

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["unit_path", "-occurred_at"]
        indexes = [models.Index(fields=["unit_path", "status", "occurred_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN

    def clean(self) -> None:
        errors = _not_future(self.occurred_at, "occurred_at")
        if self.status == IncidentStatus.CLOSED:
            if not self.aftermath.strip():
                errors["aftermath"] = _("Write the aftermath summary before closing.")
            if not self.lessons.strip():
                errors["lessons"] = _("Write the lessons learned before closing.")
        if errors:
            raise ValidationError(errors)


class IncidentEvent(UnitRecord):
    """One step of an incident's timeline: when, what, by whom."""

    same_unit = {"incident": _("The incident belongs to another unit.")}

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events",
                                 verbose_name=_("incident"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    what = models.CharField(_("what"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, editable=False, related_name="+",
                           verbose_name=_("by"))

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["incident", "at", "pk"]

    def __str__(self) -> str:
        return self.what

    def clean(self) -> None:
        errors = _not_future(self.at, "at")
        if errors:
            raise ValidationError(errors)


class IncidentTask(UnitRecord):
    """The task of one response group of the unit (ORG-1) in an incident."""

    same_unit = {"incident": _("The incident belongs to another unit."),
                 "group": _("The group belongs to another unit.")}

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks",
                                 verbose_name=_("incident"))
    group = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("response group"),
                              limit_choices_to={"kind__in": RESPONSE_GROUPS})
    task = models.TextField(_("task"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("response task")
        verbose_name_plural = _("response tasks")
        ordering = ["incident", "pk"]

    def __str__(self) -> str:
        return f"{self.group} · {self.task[:40]}"

    def clean(self) -> None:
        if self.group_id and self.group.kind not in RESPONSE_GROUPS:
            raise ValidationError({"group": _("Choose one of the unit's response groups.")})
        self.done_at = (self.done_at or timezone.now()) if self.done else None


class Recipient(models.TextChoices):
    POLICE = "police", _("Police (110)")
    AMBULANCE = "ambulance", _("Emergency medical service (120)")
    FIRE = "fire", _("Fire and rescue (119)")
    GOVERNANCE = "governance", _("Comprehensive governance office")  # 综治办
    EDUCATION = "education", _("Education bureau")  # 教育局


class ExternalReport(UnitRecord):
    """A report of the incident to the police, the emergency services or an authority:
    to whom, when, by whom, its reference; late when after the unit's limit."""

    same_unit = {"incident": _("The incident belongs to another unit.")}

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports",
                                 verbose_name=_("incident"))
    recipient = models.CharField(_("reported to"), max_length=16, choices=Recipient.choices)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.CharField(_("reported by"), max_length=100)
    reference = models.CharField(_("reference"), max_length=100, blank=True,
                                 help_text=_("e.g. the number of the police call record."))
    late = models.BooleanField(_("late"), default=False, editable=False)
    limit_minutes = models.PositiveIntegerField(_("limit (minutes)"), null=True,
                                                editable=False)

    class Meta:
        verbose_name = _("external report")
        verbose_name_plural = _("external reports")
        ordering = ["incident", "reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_recipient_display()} · {timezone.localtime(self.reported_at):%H:%M}"

    def clean(self) -> None:
        errors = _not_future(self.reported_at, "reported_at")
        if self.incident_id and self.reported_at and \
                self.reported_at < self.incident.occurred_at:
            errors["reported_at"] = _("An incident is reported after it occurred.")
        if errors:
            raise ValidationError(errors)


class Statement(UnitRecord):
    """A public statement about the incident, through the unit's spokesperson (新闻发言人),
    released only once the principal or an administrator has approved it."""

    same_unit = {"incident": _("The incident belongs to another unit."),
                 "spokesperson": _("The spokesperson belongs to another unit.")}

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE,
                                 related_name="statements", verbose_name=_("incident"))
    spokesperson = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("spokesperson"))
    text = models.TextField(_("text"))
    approved = models.BooleanField(_("approved"), default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, editable=False,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True,
                                       editable=False)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("public statement")
        verbose_name_plural = _("public statements")
        ordering = ["incident", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    def clean(self) -> None:
        errors = _not_future(self.released_at, "released_at")
        if self.released_at and not self.approved:
            errors["released_at"] = _("A statement is released only once approved by the "
                                      "principal or an administrator.")
        if errors:
            raise ValidationError(errors)


class SuspicionStatus(models.TextChoices):
    NEW = "new", _("To assess")  # 待研判
    WATCHING = "watching", _("Being watched")  # 持续关注
    DISMISSED = "dismissed", _("Dismissed")  # 已排除
    ESCALATED = "escalated", _("Reported upward")  # 已上报


class SuspiciousReport(UnitRecord):
    """Something suspicious seen by anyone at the unit (可疑情况, SPEC OPS-5): where, what,
    who; assessed by the unit's leaders — watched, dismissed with the reason, or reported
    to the supervising authority — and made a hazard or an incident where it is one."""

    same_unit = {"location": _("The location belongs to another unit.")}

    reported_at = models.DateTimeField(_("seen at"), default=timezone.now)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("where"))
    place = models.CharField(_("place"), max_length=200, blank=True,
                             help_text=_("Where, if not one of the unit's locations (e.g. "
                                         "the pavement outside the south gate)."))
    what = models.TextField(_("what was seen"))
    person_description = models.TextField(
        _("the person or vehicle"), blank=True,
        help_text=_("What they looked like: build, clothes, what they carried, a plate."))
    status = models.CharField(_("status"), max_length=10, choices=SuspicionStatus.choices,
                              default=SuspicionStatus.NEW)
    assessment = models.TextField(_("assessment"), blank=True, help_text=_(
        "What the unit found out or decided; required to dismiss a report."))
    reporter = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                 editable=False, related_name="+",
                                 verbose_name=_("reported by"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, editable=False, related_name="+",
                                    verbose_name=_("account"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, editable=False, related_name="+",
                                    verbose_name=_("assessed by"))
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True,
                                       editable=False)
    escalated_at = models.DateTimeField(_("reported upward at"), null=True, blank=True,
                                        editable=False)

    class Meta:
        verbose_name = _("suspicious report")
        verbose_name_plural = _("suspicious reports")
        ordering = ["unit_path", "-reported_at"]
        indexes = [models.Index(fields=["unit_path", "status", "reported_at"])]

    def __str__(self) -> str:
        return self.what[:40]

    @property
    def where(self) -> str:
        return " · ".join(str(p) for p in (self.location, self.place) if p)

    def clean(self) -> None:
        errors = _not_future(self.reported_at, "reported_at")
        if not self.location_id and not self.place.strip():
            errors["place"] = _("Say where: choose a location or describe the place.")
        if self.status == SuspicionStatus.DISMISSED and not self.assessment.strip():
            errors["assessment"] = _("Say why the report is dismissed.")
        if errors:
            raise ValidationError(errors)
