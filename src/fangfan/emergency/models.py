"""Emergency plans, drills and accounting for people (SPEC §6 EMG-2, EMG-3, EMG-3a).

A plan is kept in versions: each version is a record of its own, a new version names
the one it revises (`previous`), and approving it supersedes the older ones, so the
history stays. Drills are held drills (R-DRILL counts them); a drill planned for the
school year is a `PlannedDrill`, which becomes a drill when recorded as held. An
accounting round gathers the reports of classes and departments after an evacuation or
a lockdown; incidents (EMG-4) link to it, so its name and fields stay stable."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord


class Scenario(models.TextChoices):
    KNIFE_ATTACK = "knife_attack", _("Knife attack")  # 持刀砍杀
    ARSON = "arson", _("Arson")  # 纵火
    EXPLOSION = "explosion", _("Explosion")  # 爆炸
    HAZARDOUS_SUBSTANCE = "hazardous_substance", _("Hazardous substance")  # 投放危险物质
    HOSTAGE = "hostage", _("Hostage taking")  # 劫持人质
    VEHICLE_RAMMING = "vehicle_ramming", _("Vehicle ramming")  # 驾车冲撞
    MASS_GATHERING = "mass_gathering", _("Mass gathering")  # 聚集滋事
    EVACUATION = "evacuation", _("Evacuation (fire, earthquake)")  # 应急疏散
    OTHER = "other", _("Other")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 待审批
    APPROVED = "approved", _("Approved")  # 已批准 (in force)
    SUPERSEDED = "superseded", _("Superseded")  # 已被新版本替代


# The elements a plan must hold before it is approved (EMG-2, seeds 001 and 002): the
# field and how a refusal names it.
REQUIRED_ELEMENTS = [
    ("command", _("command")),
    ("groups", _("groups and members")),
    ("first_response", _("first response")),
    ("evacuation", _("evacuation routes and assembly points")),
    ("reporting", _("reporting")),
    ("aftermath", _("aftermath")),
]


class EmergencyPlan(UnitRecord):
    """One version of an emergency plan (应急预案) of a unit for one scenario."""

    same_unit = {"command_body": _("The command HQ belongs to another unit."),
                 "previous": _("The earlier version belongs to another unit.")}

    scenario = models.CharField(_("scenario"), max_length=24, choices=Scenario.choices)
    title = models.CharField(_("title"), max_length=200)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version",
        verbose_name=_("revises"), help_text=_("The version this one replaces once approved."))
    command_body = models.ForeignKey(
        "organisation.Body", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"kind": "command_hq"}, verbose_name=_("command HQ"),
        help_text=_("The unit's incident command HQ, with its members (organisation)."))
    command = models.TextField(_("command"), blank=True, help_text=_(
        "Who commands, who deputises, and where the command post is."))
    groups = models.TextField(_("groups and members"), blank=True, help_text=_(
        "The response groups, their members and tasks. Leave empty to use the unit's "
        "response groups as recorded under organisation."))
    first_response = models.TextField(_("first response"), blank=True, help_text=_(
        "What the first people on the scene do: alarm, hold off, protect, call 110."))
    evacuation = models.TextField(_("evacuation routes and assembly points"), blank=True)
    reporting = models.TextField(_("reporting"), blank=True, help_text=_(
        "Whom to report to, by when and how: police, education bureau, 综治办."))
    aftermath = models.TextField(_("aftermath"), blank=True, help_text=_(
        "Care for the injured, families, clearing up, lessons learnt."))
    revise_by = models.DateField(_("revise by"), null=True, blank=True, help_text=_(
        "When the plan is due for revision; one year after approval if left empty."))

    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT, editable=False)
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, editable=False, related_name="+",
                                    verbose_name=_("approved by"))
    revision_reason = models.TextField(_("to revise because"), blank=True, editable=False)

    unique_error = ("previous", _("This version has already been revised."))

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["unit_path", "scenario", "-version"]
        indexes = [models.Index(fields=["unit_path", "scenario", "version"])]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def missing_elements(self) -> list[str]:
        """The required elements the plan lacks, as people read them."""
        from fangfan.organisation.models import RESPONSE_GROUPS, Membership

        missing = []
        for name, label in REQUIRED_ELEMENTS:
            if getattr(self, name, "").strip():
                continue
            if name == "command" and self.command_body_id:
                continue
            if name == "groups" and self.unit_id and Membership.objects.filter(
                    body__unit_id=self.unit_id, body__kind__in=RESPONSE_GROUPS).exists():
                continue
            missing.append(str(label))
        return missing

    @property
    def in_force(self) -> bool:
        return self.status == PlanStatus.APPROVED

    def clean(self) -> None:
        if self.previous_id and self.previous.scenario != self.scenario:
            raise ValidationError({"scenario": _(
                "A new version keeps the scenario of the plan it revises.")})


class PlanAcknowledgement(models.Model):
    """A user of the plan's unit confirms having read one approved version (seed 000
    人防②). Written by `emergency.services.acknowledge`, audited there."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE,
                             related_name="acknowledgements", verbose_name=_("plan"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("user"))
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    acknowledged_at = models.DateTimeField(_("read on"), default=timezone.now)

    class Meta:
        verbose_name = _("plan read confirmation")
        verbose_name_plural = _("plan read confirmations")
        constraints = [models.UniqueConstraint(fields=["plan", "user"],
                                               name="one_acknowledgement_per_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.plan}"


class PlannedDrill(UnitRecord):
    """A drill a unit plans for its school year (EMG-3, 演练计划): when, which scenario,
    with which plan, counter-terrorism or not. Recording it as held makes the `Drill`
    (linked by `Drill.planned`); only held drills count for R-DRILL."""

    same_unit = {"plan": _("The plan belongs to another unit.")}

    planned_on = models.DateField(_("planned for"))
    scenario = models.CharField(_("scenario"), max_length=24, choices=Scenario.choices)
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="planned_drills", verbose_name=_("plan to use"))
    counter_terrorism = models.BooleanField(
        _("counter-terrorism drill"), default=False,
        help_text=_("A counter-terrorism drill (反恐演练): at least one a school year."))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("planned drill")
        verbose_name_plural = _("planned drills")
        ordering = ["unit_path", "planned_on", "pk"]
        indexes = [models.Index(fields=["unit_path", "planned_on"])]

    def __str__(self) -> str:
        return f"{self.get_scenario_display()} · {self.planned_on}"

    @property
    def held_drill(self) -> Drill | None:
        """The drill that held it, if recorded (the reverse of `Drill.planned`)."""
        try:
            return self.drill
        except Drill.DoesNotExist:
            return None


class Drill(UnitRecord):
    """A drill held at a unit (EMG-3): what was practised, with which plan, how it went."""

    same_unit = {"plan": _("The plan belongs to another unit."),
                 "planned": _("The planned drill belongs to another unit.")}

    planned = models.OneToOneField(
        PlannedDrill, on_delete=models.SET_NULL, null=True, blank=True, related_name="drill",
        verbose_name=_("planned drill"),
        help_text=_("The planned drill this one held, if it was planned."))

    held_on = models.DateField(_("held on"), default=timezone.localdate)
    scenario = models.CharField(_("scenario"), max_length=24, choices=Scenario.choices)
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="drills", verbose_name=_("plan used"))
    counter_terrorism = models.BooleanField(
        _("counter-terrorism drill"), default=False,
        help_text=_("A counter-terrorism drill (反恐演练): at least one a school year."))
    participants = models.PositiveIntegerField(_("participants"), default=0)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True,
                                                   blank=True)
    evacuation_seconds = models.PositiveIntegerField(
        _("evacuation time (seconds)"), null=True, blank=True,
        help_text=_("From the alarm until everyone is at the assembly point."))
    accounting_minutes = models.PositiveIntegerField(
        _("time to account for everyone (minutes)"), null=True, blank=True)
    problems = models.TextField(_("problems found"), blank=True,
                                help_text=_("One problem per line."))
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["unit_path", "-held_on", "-pk"]
        indexes = [models.Index(fields=["unit_path", "held_on"])]

    def __str__(self) -> str:
        return f"{self.get_scenario_display()} · {self.held_on}"

    @property
    def problem_list(self) -> list[str]:
        return [line.strip() for line in self.problems.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("A drill is recorded once it has been held.")})
        if self.planned_id and Drill.objects.filter(planned_id=self.planned_id).exclude(
                pk=self.pk).exists():
            raise ValidationError({"planned": _(
                "This planned drill is already recorded as held.")})


class AccountingReason(models.TextChoices):
    DRILL = "drill", _("Drill")
    INCIDENT = "incident", _("Incident")
    LOCKDOWN = "lockdown", _("Lockdown")


class AccountingRound(UnitRecord):
    """Accounting for everyone after an evacuation or a lockdown (EMG-3a, 清点人数): each
    class or department reports, the unit and its command HQ see the totals live."""

    same_unit = {"drill": _("The drill belongs to another unit.")}

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=12, choices=AccountingReason.choices,
                              default=AccountingReason.DRILL)
    drill = models.ForeignKey(Drill, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="accounting_rounds", verbose_name=_("drill"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("accounting round")
        verbose_name_plural = _("accounting rounds")
        ordering = ["unit_path", "-started_at"]
        indexes = [models.Index(fields=["unit_path", "closed_at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def in_progress(self) -> bool:
        return self.closed_at is None

    def clean(self) -> None:
        if self.drill_id and self.reason != AccountingReason.DRILL:
            raise ValidationError({"drill": _("Only a round after a drill names a drill.")})
        if self.started_at and self.started_at > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError({"started_at": _("A round is recorded once it has begun.")})


NOT_NEGATIVE = MinValueValidator(0, _("A count cannot be negative."))


class AccountingReport(UnitRecord):
    """One class's or department's count in a round: enrolled, present, missing, injured."""

    same_unit = {"round": _("The accounting round belongs to another unit.")}

    round = models.ForeignKey(AccountingRound, on_delete=models.CASCADE,
                              related_name="reports", verbose_name=_("accounting round"))
    group_name = models.CharField(_("class or department"), max_length=100)
    enrolled = models.PositiveIntegerField(_("enrolled"), validators=[NOT_NEGATIVE])
    present = models.PositiveIntegerField(_("present"), validators=[NOT_NEGATIVE])
    missing = models.PositiveIntegerField(_("missing"), default=0, validators=[NOT_NEGATIVE])
    injured = models.PositiveIntegerField(_("injured"), default=0, validators=[NOT_NEGATIVE])
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, editable=False, related_name="+",
                                 verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now,
                                       editable=False)

    unique_error = ("group_name", _("This class or department has already reported in "
                                    "this round; change its report instead."))

    class Meta:
        verbose_name = _("accounting report")
        verbose_name_plural = _("accounting reports")
        ordering = ["round", "group_name"]
        constraints = [models.UniqueConstraint(fields=["round", "group_name"],
                                               name="one_report_per_group")]

    def __str__(self) -> str:
        return self.group_name

    def clean(self) -> None:
        errors = {}
        if None in (self.enrolled, self.present, self.missing, self.injured):
            return
        if self.missing > self.enrolled:
            errors["missing"] = _("More missing than enrolled: check the numbers.")
        elif self.present + self.missing > self.enrolled:
            errors["present"] = _("Present and missing together exceed those enrolled: "
                                  "check the numbers.")
        if self.injured > self.present + self.missing:
            errors["injured"] = _("More injured than present and missing together.")
        if errors:
            raise ValidationError(errors)
