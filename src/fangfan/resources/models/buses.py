"""School buses (RES-9): the vehicles with their plate, annual inspection and insurance,
the safety manager who rides each bus, the drivers — people holding a school bus
driving qualification (校车驾驶资格) valid today — their routes, and the inspection and
maintenance log that moves each bus's next inspection date."""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.resources.models.catalogue import Person
from fangfan.resources.models.people import Certificate, CertificateKind

DUE_SOON_DAYS = 30
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# A province's character, the issuing office's letter, then five characters (six for
# new-energy vehicles); I and O are never used, so they cannot be told from 1 and 0.
PLATE = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{5,6}}$")
_PLATE_NOISE = re.compile(r"[\s·•.\-]")


def normalise_plate(value: str) -> str:
    """苏d·12345 → 苏D12345: how plates are written varies, how they are stored does not."""
    return _PLATE_NOISE.sub("", value or "").upper()


class SchoolBus(UnitRecord):
    """A school bus (校车) used by the unit, its own or an operator's."""

    same_unit = {"safety_manager": _("The person belongs to another unit.")}

    plate = models.CharField(_("plate number"), max_length=16,
                             help_text=_("e.g. 苏D12345"))
    seats = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(99)])
    operator = models.CharField(_("owner or operator"), max_length=100,
                                help_text=_("The school itself or the bus company."))
    inspection_due_on = models.DateField(
        _("annual inspection due"),
        help_text=_("Moves on when a passed annual inspection is logged."))
    insured_until = models.DateField(_("insured until"))
    safety_manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("safety manager"),
        help_text=_("The person of the school responsible for the bus's safety and riding "
                    "with the pupils (随车照管)."))
    gps = models.BooleanField(_("satellite positioning"), default=False,
                              help_text=_("A satellite positioning device with a speed "
                                          "recorder is installed."))
    in_service = models.BooleanField(_("in service"), default=True)

    unique_error = ("plate", _("This unit already records a bus with this plate."))

    class Meta:
        verbose_name = _("school bus")
        verbose_name_plural = _("school buses")
        ordering = ["unit_path", "plate"]
        indexes = [models.Index(fields=["unit_path", "plate"])]
        constraints = [models.UniqueConstraint(fields=["unit", "plate"],
                                               name="unique_school_bus_plate")]

    def __str__(self) -> str:
        return self.plate

    @property
    def inspection_overdue(self) -> bool:
        return bool(self.inspection_due_on and self.inspection_due_on < timezone.localdate())

    def clean(self) -> None:
        self.plate = normalise_plate(self.plate)
        if self.plate and not PLATE.match(self.plate):
            raise ValidationError({"plate": _(
                "Not a Chinese plate number: a province's character, a letter, then five or "
                "six letters or digits (e.g. 苏D12345).")})


def valid_qualification(today=None) -> Q:
    """Certificates that qualify their holder to drive a school bus today."""
    today = today or timezone.localdate()
    return Q(kind=CertificateKind.SCHOOL_BUS_DRIVER) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=today))


class BusDriver(UnitRecord):
    """A person of the unit who drives its buses. Taken on only with a school bus
    driving qualification valid today; one that expires later is a gap, not a refusal
    of every later change (the driver can still be taken off duty)."""

    same_unit = {"person": _("The person belongs to another unit.")}

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bus_driving",
                               verbose_name=_("person"))
    licence_class = models.CharField(_("licence class"), max_length=8, blank=True,
                                     help_text=_("e.g. A1, A3, B1"))
    active = models.BooleanField(_("on duty"), default=True)

    unique_error = ("person", _("This person is already recorded as a bus driver."))

    class Meta:
        verbose_name = _("bus driver")
        verbose_name_plural = _("bus drivers")
        ordering = ["unit_path", "person"]
        indexes = [models.Index(fields=["unit_path", "person"])]
        constraints = [models.UniqueConstraint(fields=["unit", "person"],
                                               name="unique_bus_driver")]

    def __str__(self) -> str:
        return str(self.person)

    def qualified(self) -> bool:
        return Certificate.objects.filter(valid_qualification(), person_id=self.person_id,
                                          unit_id=self.unit_id).exists()

    def clean(self) -> None:
        if not self.person_id or not self.active or self.person.unit_id != self.unit_id:
            return
        before = (BusDriver.objects.filter(pk=self.pk).values("person_id", "active").first()
                  if self.pk else None)
        taking_on = before is None or before != {"person_id": self.person_id, "active": True}
        if taking_on and not self.qualified():
            raise ValidationError({"person": _(
                "%(person)s holds no school bus driving qualification valid today: record "
                "the certificate (校车驾驶资格) first.") % {"person": self.person}})


class BusRoute(UnitRecord):
    """A route a bus runs with its driver: the stops in order and the times."""

    same_unit = {"bus": _("The bus belongs to another unit."),
                 "driver": _("The driver belongs to another unit.")}

    name = models.CharField(_("name"), max_length=100)
    bus = models.ForeignKey(SchoolBus, on_delete=models.PROTECT, related_name="routes",
                            verbose_name=_("bus"))
    # The person, not their BusDriver record, so that lists name the driver without a
    # query per row; clean() admits only the unit's bus drivers on duty.
    driver = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bus_routes",
                               verbose_name=_("driver"),
                               limit_choices_to={"bus_driving__active": True})
    stops = models.TextField(_("stops"), help_text=_("The stops in order, one per line."))
    morning_departure = models.TimeField(_("morning departure"), null=True, blank=True)
    afternoon_departure = models.TimeField(_("afternoon departure"), null=True, blank=True)

    unique_error = ("name", _("This unit already has a route with this name."))

    class Meta:
        verbose_name = _("bus route")
        verbose_name_plural = _("bus routes")
        ordering = ["unit_path", "name"]
        indexes = [models.Index(fields=["unit_path", "name"])]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="unique_bus_route_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.driver_id and not BusDriver.objects.filter(person_id=self.driver_id,
                                                           active=True).exists():
            errors["driver"] = _("%(person)s is not recorded as a bus driver on duty.") % {
                "person": self.driver}
        if self.bus_id and not self.bus.in_service:
            errors["bus"] = _("This bus is not in service.")
        if not (self.morning_departure or self.afternoon_departure):
            errors["morning_departure"] = _("Enter at least one departure time.")
        if errors:
            raise ValidationError(errors)


class BusCheckKind(models.TextChoices):
    ANNUAL_INSPECTION = "annual_inspection", _("Annual safety inspection")  # 年检
    MAINTENANCE = "maintenance", _("Maintenance")  # 维护保养
    REPAIR = "repair", _("Repair")  # 维修
    DAILY_CHECK = "daily_check", _("Pre-trip check")  # 出车前检查


class BusCheckResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class BusInspection(UnitRecord):
    """An inspection or maintenance of a bus. A passed annual inspection with its next
    due date moves the bus's due date (resources.services.BusInspectionServices)."""

    same_unit = {"bus": _("The bus belongs to another unit.")}

    bus = models.ForeignKey(SchoolBus, on_delete=models.PROTECT, related_name="inspections",
                            verbose_name=_("bus"))
    done_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=24, choices=BusCheckKind.choices)
    result = models.CharField(_("result"), max_length=8, choices=BusCheckResult.choices,
                              default=BusCheckResult.PASSED)
    next_due_on = models.DateField(_("next due on"), null=True, blank=True)
    done_by = models.CharField(_("done by"), max_length=100, blank=True,
                               help_text=_("e.g. the vehicle inspection station or garage"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("bus inspection or maintenance")
        verbose_name_plural = _("bus inspections and maintenance")
        ordering = ["unit_path", "-done_on"]
        indexes = [models.Index(fields=["unit_path", "done_on"])]

    def __str__(self) -> str:
        return f"{self.bus} · {self.get_kind_display()} · {self.done_on}"

    def clean(self) -> None:
        errors = {}
        if self.done_on and self.done_on > timezone.localdate():
            errors["done_on"] = _("This date lies in the future.")
        if self.done_on and self.next_due_on and self.next_due_on <= self.done_on:
            errors["next_due_on"] = _("The next one falls after this one.")
        if (self.kind == BusCheckKind.ANNUAL_INSPECTION and self.result == BusCheckResult.PASSED
                and not self.next_due_on):
            errors["next_due_on"] = _("A passed annual inspection says when the next is due.")
        if errors:
            raise ValidationError(errors)
