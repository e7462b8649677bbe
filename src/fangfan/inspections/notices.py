"""Notices (通报, SPEC INS-3), the risk register (安全风险清单, INS-5) and sensitive
periods (敏感时期, STD-4): what an authority publishes to its subtree, and what each unit
keeps of its own risks. Models only; their declarations are in records.py, their rules in
services.py (NoticeServices, RiskServices) and their home-page work in work.py.
docs/inspections.md ("Notices", "Risk register", "Sensitive periods") says why."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord


class Notice(UnitRecord):
    """A notice an authority publishes to every unit of its subtree (shared down), e.g.
    an inspection bulletin naming units (NoticeUnit); read receipts are NoticeReceipt."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_on = models.DateField(_("published on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["unit_path", "-published_on", "-pk"]
        indexes = [models.Index(fields=["unit_path", "published_on"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.published_on and self.published_on > timezone.localdate():
            raise ValidationError({"published_on": _(
                "A notice is published when it is saved: date it today or earlier.")})


class Mention(models.TextChoices):
    COMMENDED = "commended", _("Commended")  # 通报表扬
    CRITICISED = "criticised", _("Criticised")  # 通报批评
    NAMED = "named", _("Named")  # 点名


class NoticeUnit(UnitRecord):
    """A unit a notice names, good or bad. It belongs to the notice's (publishing) unit
    and is shared down with it; the unit named lies in that unit's subtree."""

    same_unit = {"notice": _("The notice belongs to another unit.")}

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="named_units",
                               verbose_name=_("notice"))
    named = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("unit named"))
    mention = models.CharField(_("named as"), max_length=12, choices=Mention.choices,
                               default=Mention.NAMED)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("unit named")
        verbose_name_plural = _("units named")
        ordering = ["notice", "pk"]

    def __str__(self) -> str:
        return str(self.named)

    def clean(self) -> None:
        if self.named_id and self.notice_id and not self.named.path.startswith(
                self.notice.unit_path):
            raise ValidationError({"named": _(
                "A notice names only units under the unit that publishes it; "
                "%(unit)s is not one of them.") % {"unit": self.named.name}})


class NoticeReceipt(models.Model):
    """A user of a unit below opened the notice (its page or its API detail): the first
    read per user and unit is kept. Written by NoticeServices.on_view, never typed;
    reading is not a change, so receipts are not audited."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey("core.Unit", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "unit", "user"],
                                               name="one_receipt_per_reader")]
        indexes = [models.Index(fields=["user", "notice"])]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.unit_id} · {self.user_id}"


class Likelihood(models.IntegerChoices):
    RARE = 1, _("1 · rare")  # 极少
    UNLIKELY = 2, _("2 · unlikely")  # 不太可能
    POSSIBLE = 3, _("3 · possible")  # 可能
    LIKELY = 4, _("4 · likely")  # 很可能
    ALMOST_CERTAIN = 5, _("5 · almost certain")  # 几乎肯定


class Impact(models.IntegerChoices):
    MINOR = 1, _("1 · minor")  # 轻微
    LIMITED = 2, _("2 · limited")  # 较小
    SERIOUS = 3, _("3 · serious")  # 较大
    SEVERE = 4, _("4 · severe")  # 严重
    CATASTROPHIC = 5, _("5 · catastrophic")  # 特别严重


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low risk")  # 低风险 (blue)
    MEDIUM = "medium", _("Medium risk")  # 一般风险 (yellow)
    HIGH = "high", _("High risk")  # 较大风险 (orange)
    MAJOR = "major", _("Major risk")  # 重大风险 (red)


def risk_level(likelihood: int, impact: int) -> str:
    """The level of a risk from its score, likelihood × impact (1–25): 1–4 low, 5–9
    medium, 10–16 high, 20–25 major (docs/inspections.md, "Risk register")."""
    score = likelihood * impact
    if score >= 20:
        return RiskLevel.MAJOR
    if score >= 10:
        return RiskLevel.HIGH
    if score >= 5:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


class RiskTemplate(UnitRecord):
    """A typical risk an authority publishes for its subtree (shared down); a unit adds
    it to its own register with one click (the template's page)."""

    risk = models.CharField(_("risk"), max_length=200,
                            help_text=_("What could happen."))
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), choices=Likelihood.choices,
                                                  default=Likelihood.POSSIBLE)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices,
                                              default=Impact.SERIOUS)
    controls = models.TextField(_("controls"), blank=True,
                                help_text=_("The measures that keep the risk down."))

    class Meta:
        verbose_name = _("risk template")
        verbose_name_plural = _("risk templates")
        ordering = ["unit_path", "risk"]

    def __str__(self) -> str:
        return self.risk


class Risk(UnitRecord):
    """One risk of a unit's register: what could happen, where, how likely and how bad
    (its level computed), the controls, who owns it and when it is reviewed next."""

    same_unit = {"location": _("The location belongs to another unit."),
                 "owner": _("The owner belongs to another unit.")}

    template = models.ForeignKey(RiskTemplate, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="risks",
                                 verbose_name=_("from template"))
    risk = models.CharField(_("risk"), max_length=200, help_text=_("What could happen."))
    location = models.ForeignKey("resources.Location", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("where"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), choices=Likelihood.choices,
                                                  default=Likelihood.POSSIBLE)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices,
                                              default=Impact.SERIOUS)
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices,
                             default=RiskLevel.MEDIUM, editable=False)
    controls = models.TextField(_("controls"), blank=True,
                                help_text=_("The measures that keep the risk down."))
    owner = models.ForeignKey("resources.Person", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("owner"))
    review_on = models.DateField(_("review by"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["unit_path", "risk"]
        indexes = [models.Index(fields=["unit_path", "review_on"])]

    def __str__(self) -> str:
        return self.risk

    def clean(self) -> None:
        if self.template_id and self.unit_path and not self.unit_path.startswith(
                self.template.unit_path):
            raise ValidationError({"template": _(
                "This template is not published for the unit.")})
        if self.likelihood and self.impact:
            self.level = risk_level(self.likelihood, self.impact)


# A sensitive period is shown to the units below from this many days before it starts.
PERIOD_LEAD = dt.timedelta(days=7)
MAX_PERIOD_DAYS = 366


class SensitivePeriod(UnitRecord):
    """A sensitive period (敏感时期: a holiday, a major event) an authority declares for
    its subtree (shared down), with what it requires of each unit below."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    reason = models.TextField(_("reason"), blank=True)
    special_inspection = models.BooleanField(
        _("special inspection required"), default=True,
        help_text=_("Each unit below carries out a special inspection."))
    leaders_on_duty = models.BooleanField(
        _("leaders on duty required"), default=True,
        help_text=_("Each unit below arranges leaders on duty."))

    class Meta:
        verbose_name = _("sensitive period")
        verbose_name_plural = _("sensitive periods")
        ordering = ["unit_path", "-starts_on"]
        indexes = [models.Index(fields=["unit_path", "ends_on"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": _("A period ends on or after its start.")})
            if (self.ends_on - self.starts_on).days >= MAX_PERIOD_DAYS:
                raise ValidationError({"ends_on": _("A sensitive period lasts at most a "
                                                    "year.")})
