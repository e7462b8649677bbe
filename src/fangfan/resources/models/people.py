"""People in depth (RES-1): certificates with expiry (guard licence, driver qualification
…) and background checks at hiring and every year for staff in contact with minors
(Minors Protection Law Art. 62)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.resources.models.catalogue import Person

EXPIRY_ALERT_DAYS = 30
RECHECK_DAYS = 365


class CertificateKind(models.TextChoices):
    GUARD_LICENCE = "guard_licence", _("Guard licence")  # 保安员证
    DRIVER_QUALIFICATION = "driver_qualification", _("Driver qualification")  # 从业资格证
    # Granted by the traffic police to drive a school bus (School Bus Safety Regulations
    # Art. 23-25); what a bus driver needs (resources.models.buses.BusDriver).
    SCHOOL_BUS_DRIVER = "school_bus_driver", _("School bus driving qualification")  # 校车驾驶资格
    FIRE_SAFETY = "fire_safety", _("Fire safety certificate")  # 消防安全培训证书
    FIRST_AID = "first_aid", _("First aid certificate")  # 急救证
    OTHER = "other", _("Other")


OWN_PERSON = {"person": _("The person belongs to another unit.")}


class Certificate(UnitRecord):
    """A person's certificate; Fangfan alerts 30 days before it expires."""

    same_unit = OWN_PERSON

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates",
                               verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=32, choices=CertificateKind.choices)
    number = models.CharField(_("number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True,
                                  help_text=_("Empty when it does not expire."))
    reminded_on = models.DateField(editable=False, null=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["unit_path", "expires_on"]
        indexes = [models.Index(fields=["unit_path", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"

    @property
    def expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()

    def clean(self) -> None:
        errors = {}
        if self.issued_on and self.issued_on > timezone.localdate():
            errors["issued_on"] = _("This date lies in the future.")
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            errors["expires_on"] = _("A certificate cannot expire before it was issued.")
        if errors:
            raise ValidationError(errors)
        if self.pk and Certificate.objects.filter(pk=self.pk).exclude(
                expires_on=self.expires_on).exists():
            self.reminded_on = None  # renewed: remind again before the new expiry


class CheckKind(models.TextChoices):
    HIRING = "hiring", _("At hiring")  # 入职查询
    YEARLY = "yearly", _("Yearly re-check")  # 年度查询


class CheckResult(models.TextChoices):
    CLEAR = "clear", _("No record found")
    FOUND = "found", _("Record found")


class BackgroundCheck(UnitRecord):
    """A query of the criminal records of someone working with minors (背景审查)."""

    same_unit = OWN_PERSON

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="background_checks", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=16, choices=CheckKind.choices)
    checked_on = models.DateField(_("checked on"))
    result = models.CharField(_("result"), max_length=16, choices=CheckResult.choices,
                              default=CheckResult.CLEAR)
    checked_by = models.CharField(_("checked with"), max_length=100, blank=True,
                                  help_text=_("e.g. the local police station"))

    class Meta:
        verbose_name = _("background check")
        verbose_name_plural = _("background checks")
        ordering = ["unit_path", "-checked_on"]
        indexes = [models.Index(fields=["unit_path", "checked_on"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.checked_on}"

    @property
    def next_due_on(self) -> dt.date:
        return self.checked_on + dt.timedelta(days=RECHECK_DAYS)

    def clean(self) -> None:
        errors = {}
        if self.checked_on and self.checked_on > timezone.localdate():
            errors["checked_on"] = _("This date lies in the future.")
        if errors:
            raise ValidationError(errors)
