"""Non-normal alert levels (SPEC EMG-1, R-ALERT): an authority's order of a level for
the units below it, each unit's state under it and the measures it ticks.

- `AlertOrder`: the level an authority issues (三级, 二级, 一级), for which units, why,
  from when until when; raised, lowered and stood down by its services (each change an
  `AlertChange` and an audit entry).
- `UnitAlert`: one unit under one order: its baseline guard force and the numbers of
  its measures, its acknowledgement, and the counts of its measures (kept by the
  services, so the authority's live page ranks units without counting).
- `AlertMeasure`: one measure of the unit's checklist, ticked done with a note and
  evidence files (the generic attachments).

The rows of units and measures are written in bulk by `alerts.fanout` when an order is
issued or its level changes (docs/alerts.md)."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.fields import ChoiceListField
from fangfan.core.models import UnitRecord
from fangfan.core.models.units import Stage, UnitKind


class Level(models.IntegerChoices):
    """One is the highest. Each level includes the measures of the levels below it."""

    THREE = 3, _("Level III (lowest)")  # 三级非常态
    TWO = 2, _("Level II")  # 二级非常态
    ONE = 1, _("Level I (highest)")  # 一级非常态


class AlertOrder(UnitRecord):
    """A level an authority issues for the units below it (SPEC EMG-1)."""

    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    ends_at = models.DateTimeField(_("planned end"))
    kinds = ChoiceListField(_("only units of kind"), options=UnitKind.choices,
                            help_text=_("Leave empty for every kind of unit below."))
    stages = ChoiceListField(_("only schools of stage"), options=Stage.choices,
                             help_text=_("Leave empty for every stage."))
    stood_down_at = models.DateTimeField(_("stood down at"), null=True, blank=True,
                                         editable=False)
    units_count = models.PositiveIntegerField(_("units under it"), default=0,
                                              editable=False)

    class Meta:
        verbose_name = _("alert level")
        verbose_name_plural = _("alert levels")
        ordering = ["unit_path", "-starts_at"]
        indexes = [models.Index(fields=["unit_path", "starts_at"])]

    def __str__(self) -> str:
        # Nothing related: lists show it beside each row without another query.
        when = timezone.localtime(self.starts_at).date() if self.starts_at else ""
        return f"{self.get_level_display()} · {when}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The planned end comes after the start.")})

    def in_force(self, now=None) -> bool:
        now = now or timezone.now()
        return self.stood_down_at is None and self.starts_at <= now < self.ends_at

    @property
    def state(self) -> str:
        now = timezone.now()
        if self.stood_down_at is not None:
            return "stood_down"
        if now < self.starts_at:
            return "planned"
        return "ended" if now >= self.ends_at else "in_force"


def in_force_q(prefix: str = "", now=None) -> models.Q:
    """The orders (or, with `prefix` "order__", the units' alerts) in force at `now`."""
    now = now or timezone.now()
    return models.Q(**{f"{prefix}stood_down_at__isnull": True,
                       f"{prefix}starts_at__lte": now, f"{prefix}ends_at__gt": now})


class ChangeKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    RAISED = "raised", _("Raised")
    LOWERED = "lowered", _("Lowered")
    STOOD_DOWN = "stood_down", _("Stood down")


class AlertChange(models.Model):
    """One change of an order's level, for its history (also in the audit log)."""

    order = models.ForeignKey(AlertOrder, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="+")

    class Meta:
        ordering = ["order", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_level_display()}"


class BaselineSource(models.TextChoices):
    ROSTER = "roster", _("duty roster")
    STAFFING = "staffing", _("full-time guards required")
    UNKNOWN = "unknown", _("not known")


class UnitAlert(UnitRecord):
    """One unit under one alert level: what it must do and whether it has taken note."""

    order = models.ForeignKey(AlertOrder, on_delete=models.CASCADE, related_name="units",
                              verbose_name=_("alert level"))
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    baseline = models.PositiveIntegerField(_("normal guard force"), null=True, blank=True)
    baseline_source = models.CharField(_("normal guard force from"), max_length=10,
                                       choices=BaselineSource.choices,
                                       default=BaselineSource.UNKNOWN)
    guards_required = models.PositiveIntegerField(_("guards required"), null=True,
                                                  blank=True)
    key_locations = models.PositiveIntegerField(_("key locations"), default=0)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True,
                                           editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        editable=False, related_name="+", verbose_name=_("acknowledged by"))
    guards_on_duty = models.PositiveIntegerField(
        _("guards on duty"), null=True, blank=True,
        help_text=_("Guards on duty now, as reported with the guard-force measure."))
    note = models.CharField(_("note"), max_length=500, blank=True)
    measures_total = models.PositiveSmallIntegerField(_("measures"), default=0,
                                                      editable=False)
    measures_done = models.PositiveSmallIntegerField(_("measures done"), default=0,
                                                     editable=False)
    # Escalation of a missing acknowledgement (alerts.escalation), claimed when sent.
    leads_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("unit under an alert level")
        verbose_name_plural = _("units under alert levels")
        ordering = ["unit_path", "-issued_at"]
        constraints = [models.UniqueConstraint(fields=["order", "unit"],
                                               name="unique_unit_alert")]
        indexes = [models.Index(fields=["unit_path", "issued_at"]),
                   # The live page: ranked and counted from this index alone.
                   models.Index(fields=["order", "acknowledged_at", "measures_done",
                                        "measures_total"], name="alerts_unitalert_live"),
                   models.Index(fields=["unit", "level"])]

    unique_error = ("order", _("This unit is already under this alert level."))

    def __str__(self) -> str:
        when = timezone.localtime(self.issued_at).date() if self.issued_at else ""
        return f"{self.get_level_display()} · {when}"


class MeasureCode(models.TextChoices):
    """The measures of the levels (docs/alerts.md). Shown by their label, never code."""

    LEAD = "lead", _("Leader on duty")
    GUARDS = "guards", _("Guard force")
    COMMS = "comms", _("Communications")
    ENTRANCES = "entrances", _("Entrances and key locations watched")
    CHECKS = "checks", _("Checks of people, vehicles and items")
    LIAISON = "liaison", _("Liaison with the local authorities")
    CORDON = "cordon", _("Cordoned area")
    SIDE_GATES = "side_gates", _("Other entrances closed")
    DOUBLE_POSTS = "double_posts", _("Double posts at main entrances")
    KEY_POSTS = "key_posts", _("Guards posted at key locations")
    EQUIPMENT = "equipment", _("Equipment on standby")
    HQ = "hq", _("Command HQ activated")
    KEY_TWO = "key_two", _("Two guards at every key location")
    PATROLS = "patrols", _("Patrols around the clock")
    OUTER = "outer", _("Outer cordon and barriers")
    SEARCH = "search", _("Thorough search of the premises")
    READINESS = "readiness", _("Support forces ready")


class AlertMeasure(UnitRecord):
    """One measure a unit takes under an alert level, ticked done by the unit."""

    same_unit = {"unit_alert": _("The alert belongs to another unit.")}

    # Without the index of its unit's id (UnitRecord's): a province's level writes
    # hundreds of thousands of measures at once, each index a write more; scoping reads
    # `unit_path`, and a measure is reached through its alert.
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, db_index=False,
                             related_name="+", verbose_name=_("unit"))
    unit_alert = models.ForeignKey(UnitAlert, on_delete=models.CASCADE,
                                   related_name="measures", verbose_name=_("alert"))
    number = models.PositiveSmallIntegerField(_("no."), default=1)
    code = models.CharField(_("measure"), max_length=16, choices=MeasureCode.choices)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, editable=False, related_name="+",
                                verbose_name=_("done by"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    guards_on_duty = models.PositiveIntegerField(
        _("guards on duty"), null=True, blank=True,
        help_text=_("How many guards are on duty now."))

    class Meta:
        verbose_name = _("alert measure")
        verbose_name_plural = _("alert measures")
        # No index beyond UnitRecord's and the keys': each one costs the fan-out a write
        # per measure (850,000 at level I over a province).
        ordering = ["unit_alert", "number"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """What to do, with the unit's numbers, in the reader's language."""
        from fangfan.alerts.measures import text

        return text(self.code, self.unit_alert) if self.unit_alert_id else ""

    def clean(self) -> None:
        if self.code != MeasureCode.GUARDS and self.guards_on_duty is not None:
            raise ValidationError({"guards_on_duty": _(
                "Guards on duty are reported with the guard-force measure.")})
        if self.code == MeasureCode.GUARDS and self.done and self.guards_on_duty is None:
            raise ValidationError({"guards_on_duty": _(
                "Say how many guards are on duty now.")})
