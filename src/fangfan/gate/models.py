"""The gate (SPEC OPS-4): visitors from appointment to check-out, the self-service link a
unit publishes, the unit's watch list, staff and contractor passes, the vehicle registry
and entries, and parents' pick-up of children.

The guard checks a visitor's identity document by looking at it and hands it back: no
workflow holds or copies it (Regulation on Security Services Art. 30). Every personal
field is declared on its record type (records.py, core.privacy)."""
from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.core.privacy import Kind
from fangfan.gate.validators import (
    normalise_identity,
    normalise_plate,
    validate_identity_number,
    validate_phone,
    validate_plate,
)
from fangfan.resources.models import Location, Person

# An appointment may be made for a moment just gone (the guard types a walk-in): a
# quarter of an hour back, not more.
PAST_TOLERANCE = dt.timedelta(minutes=15)


class VisitStatus(models.TextChoices):
    APPOINTMENT = "appointment", _("Awaiting host confirmation")  # 待确认
    CONFIRMED = "confirmed", _("Confirmed by host")  # 已确认
    CHECKED_IN = "checked_in", _("In the school")  # 已入校
    CHECKED_OUT = "checked_out", _("Left")  # 已离校
    CANCELLED = "cancelled", _("Cancelled")  # 已取消


OPEN_STATUSES = (VisitStatus.APPOINTMENT, VisitStatus.CONFIRMED)


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", _("Resident identity card")  # 居民身份证
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    RESIDENCE = "residence", _("Foreign permanent residence ID card")
    DRIVING = "driving", _("Driving licence")
    WORK_CARD = "work_card", _("Work ID or police officer's card")
    OTHER = "other", _("Other document")


class Visit(UnitRecord):
    """A visitor's visit: an appointment (made by the host, through the unit's link, or
    typed by the guard for a walk-in), confirmed by the host, approved by the head of a
    key location when it goes to one, checked in and out at the gate."""

    same_unit = {"host": _("The host belongs to another unit."),
                 "destination": _("The location belongs to another unit.")}

    visitor_name = models.CharField(_("visitor's name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_phone])
    identity_number = models.CharField(
        _("identity number"), max_length=18, blank=True,
        validators=[validate_identity_number],
        help_text=_("Resident identity number, when the visitor shows an identity card."))
    company = models.CharField(_("company or organisation"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose of the visit"), max_length=200)
    host = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("host"),
                             help_text=_("The person of the unit who receives the visitor."))
    expected_at = models.DateTimeField(_("expected at"))
    vehicle_plate = models.CharField(_("vehicle plate"), max_length=10, blank=True,
                                     validators=[validate_plate])
    items_carried = models.CharField(_("items carried"), max_length=200, blank=True)
    destination = models.ForeignKey(Location, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("destination"))
    walk_in = models.BooleanField(_("walk-in"), default=False,
                                  help_text=_("Arrived without an appointment."))
    status = models.CharField(_("status"), max_length=16, choices=VisitStatus.choices,
                              default=VisitStatus.APPOINTMENT)
    document_type = models.CharField(_("identity document type"), max_length=16,
                                     choices=DocumentType.choices, blank=True)
    document_returned = models.BooleanField(
        _("identity document seen and returned"), default=False,
        help_text=_("The guard looked at the document and handed it back at once; it is "
                    "never kept or copied."))
    approved = models.BooleanField(
        _("approved for the key location"), default=False,
        help_text=_("A visit to a key location is approved by its head before check-in."))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, editable=False, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True,
                                       editable=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, editable=False,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True,
                                        editable=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True,
                                         editable=False)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True,
                                          editable=False)
    watch_match = models.BooleanField(_("matches the watch list"), default=False,
                                      editable=False)
    via_link = models.BooleanField(_("requested through the unit's link"), default=False,
                                   editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["unit_path", "-expected_at"]
        indexes = [models.Index(fields=["unit_path", "expected_at"]),
                   models.Index(fields=["unit_path", "status", "expected_at"])]

    def __str__(self) -> str:
        local = timezone.localtime(self.expected_at) if self.expected_at else None
        return f"{self.visitor_name[:1]}* · {local:%m-%d %H:%M}" if local else "—"

    @property
    def needs_approval(self) -> bool:
        """Going to a key location (重要部位, seed 000 人防⑥): its head approves first."""
        return bool(self.destination_id and self.destination.is_key)

    def clean(self) -> None:
        self.identity_number = normalise_identity(self.identity_number)
        self.vehicle_plate = normalise_plate(self.vehicle_plate)
        errors = {}
        if (self._state.adding and self.expected_at
                and self.expected_at < timezone.now() - PAST_TOLERANCE):
            errors["expected_at"] = _("An appointment cannot be made for a time that has "
                                      "passed.")
        if self.document_type == DocumentType.ID_CARD and self.status == \
                VisitStatus.CHECKED_IN and not self.identity_number:
            errors["identity_number"] = _("Type the number of the identity card shown.")
        if errors:
            raise ValidationError(errors)


def _masked_plate(plate: str) -> str:
    from fangfan.gate.shown import mask

    return mask(plate, Kind.PLATE)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class VisitorLink(UnitRecord):
    """A link the unit publishes (on its website, in a message to a parent) where a
    visitor asks for an appointment without an account. It only writes: the request
    becomes an appointment its host confirms. Revoked, it answers nothing."""

    same_unit = {"host": _("The host belongs to another unit.")}

    name = models.CharField(_("name"), max_length=100,
                            help_text=_("Where the link is published, e.g. the school "
                                        "website."))
    host = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by"),
        help_text=_("The person who receives the requests and confirms or passes them on."))
    token = models.CharField(_("token"), max_length=40, unique=True, default=new_token,
                             editable=False)
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Clear to revoke the link: it stops working at "
                                             "once."))

    unique_error = ("name", _("This unit already has a link of this name."))

    class Meta:
        verbose_name = _("visitor link")
        verbose_name_plural = _("visitor links")
        ordering = ["unit_path", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="unique_visitor_link_name")]

    def __str__(self) -> str:
        return self.name


class WatchEntry(UnitRecord):
    """Someone the unit must not let in unawares (a person under a protection order, a
    dismissed employee who made threats): matched at check-in by identity number, plate or
    name. Seen only by the unit's leaders; the guard sees a warning, not the reason."""

    name = models.CharField(_("name"), max_length=50)
    identity_number = models.CharField(_("identity number"), max_length=18, blank=True,
                                       validators=[validate_identity_number])
    plate = models.CharField(_("vehicle plate"), max_length=10, blank=True,
                             validators=[validate_plate])
    reason = models.TextField(_("reason"))
    until = models.DateField(_("until"), null=True, blank=True,
                             help_text=_("Empty: until removed."))

    class Meta:
        verbose_name = _("watch list entry")
        verbose_name_plural = _("watch list")
        ordering = ["unit_path", "name"]
        indexes = [models.Index(fields=["unit_path", "name"])]

    def __str__(self) -> str:
        return f"{self.name[:1]}*"

    def clean(self) -> None:
        self.identity_number = normalise_identity(self.identity_number)
        self.plate = normalise_plate(self.plate)


class PassKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    CONTRACTOR = "contractor", _("Contractor")


class GatePass(UnitRecord):
    """A pass for staff or a contractor's workers (canteen supplier, builders): who, of
    which company, when and where it admits, printed for the holder to show."""

    kind = models.CharField(_("kind"), max_length=16, choices=PassKind.choices,
                            default=PassKind.CONTRACTOR)
    holder_name = models.CharField(_("holder"), max_length=50)
    company = models.CharField(_("company"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    areas = models.CharField(_("areas"), max_length=200,
                             help_text=_("Where the pass admits its holder, e.g. 食堂, "
                                         "教学楼工地."))

    class Meta:
        verbose_name = _("gate pass")
        verbose_name_plural = _("gate passes")
        ordering = ["unit_path", "-valid_until"]
        indexes = [models.Index(fields=["unit_path", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.holder_name[:1]}*"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("A pass ends after it starts.")})
        if self.kind == PassKind.CONTRACTOR and not self.company.strip():
            raise ValidationError({"company": _("Name the contractor's company.")})


class VehicleKind(models.TextChoices):
    STAFF_CAR = "staff_car", _("Staff car")
    SCHOOL_BUS = "school_bus", _("School bus")
    DELIVERY = "delivery", _("Delivery")
    CONTRACTOR = "contractor", _("Contractor")
    OFFICIAL = "official", _("Official vehicle")
    OTHER = "other", _("Other")


class Vehicle(UnitRecord):
    """A vehicle the unit knows (the vehicle registry): allowed in or not."""

    plate = models.CharField(_("plate"), max_length=10, validators=[validate_plate])
    owner_name = models.CharField(_("owner or driver"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=VehicleKind.choices,
                            default=VehicleKind.STAFF_CAR)
    allowed = models.BooleanField(_("allowed in"), default=True)

    unique_error = ("plate", _("This plate is already in the unit's registry."))

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["unit_path", "plate"]
        constraints = [models.UniqueConstraint(fields=["unit", "plate"],
                                               name="unique_vehicle_plate_per_unit")]

    def __str__(self) -> str:
        return _masked_plate(self.plate)

    def clean(self) -> None:
        self.plate = normalise_plate(self.plate)


class VehicleEntry(UnitRecord):
    """A vehicle through the gate: its plate, when it came in and left, and whether it is
    in the registry or a visitor's."""

    same_unit = {"visit": _("The visit belongs to another unit.")}

    plate = models.CharField(_("plate"), max_length=10, validators=[validate_plate])
    entered_at = models.DateTimeField(_("in at"), default=timezone.now)
    left_at = models.DateTimeField(_("out at"), null=True, blank=True)
    visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="vehicle_entries", verbose_name=_("visit"))
    registered = models.BooleanField(_("in the registry"), default=False, editable=False)

    class Meta:
        verbose_name = _("vehicle entry")
        verbose_name_plural = _("vehicle entries")
        ordering = ["unit_path", "-entered_at"]
        indexes = [models.Index(fields=["unit_path", "entered_at"])]

    def __str__(self) -> str:
        return f"{_masked_plate(self.plate)} · {timezone.localtime(self.entered_at):%m-%d %H:%M}"

    def clean(self) -> None:
        self.plate = normalise_plate(self.plate)
        errors = {}
        if self.left_at and self.entered_at and self.left_at < self.entered_at:
            errors["left_at"] = _("A vehicle leaves after it came in.")
        if self.entered_at and self.entered_at > timezone.now() + PAST_TOLERANCE:
            errors["entered_at"] = _("This time has not come yet.")
        if self.plate and self.unit_id:
            known = Vehicle.objects.filter(unit_id=self.unit_id, plate=self.plate).values_list(
                "allowed", flat=True).first()
            if known is False:
                errors["plate"] = _("This vehicle is in the registry as not allowed in.")
            self.registered = bool(known)
        if errors:
            raise ValidationError(errors)


class PickupAuthorisation(UnitRecord):
    """A parent's authorisation of an adult to pick up their child (primary schools and
    kindergartens): children's data is sensitive (PIPL Art. 28, 31)."""

    child_name = models.CharField(_("child's name"), max_length=50)
    class_name = models.CharField(_("class"), max_length=50)
    adult_name = models.CharField(_("authorised adult"), max_length=50)
    adult_phone = models.CharField(_("adult's phone"), max_length=20,
                                   validators=[validate_phone])
    relation = models.CharField(_("relation to the child"), max_length=20,
                                help_text=_("e.g. 父亲, 母亲, 祖父, 外婆."))
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("pick-up authorisation")
        verbose_name_plural = _("pick-up authorisations")
        ordering = ["unit_path", "class_name", "child_name"]
        indexes = [models.Index(fields=["unit_path", "class_name", "child_name"])]

    def __str__(self) -> str:
        return f"{self.class_name} · {self.child_name[:1]}*"


class Pickup(UnitRecord):
    """A child picked up at the gate: by whom, at what time. An adult without a valid
    authorisation for that child is refused unless the class teacher confirms them."""

    child_name = models.CharField(_("child's name"), max_length=50)
    class_name = models.CharField(_("class"), max_length=50)
    adult_name = models.CharField(_("picked up by"), max_length=50)
    picked_up_at = models.DateTimeField(_("picked up at"), default=timezone.now)
    teacher_confirmed = models.BooleanField(
        _("confirmed by the class teacher"), default=False,
        help_text=_("The class teacher knows the adult and confirms them in person."))
    authorisation = models.ForeignKey(PickupAuthorisation, on_delete=models.SET_NULL,
                                      null=True, blank=True, editable=False,
                                      related_name="pickups",
                                      verbose_name=_("authorisation"))

    class Meta:
        verbose_name = _("pick-up")
        verbose_name_plural = _("pick-ups")
        ordering = ["unit_path", "-picked_up_at"]
        indexes = [models.Index(fields=["unit_path", "picked_up_at"])]

    def __str__(self) -> str:
        return f"{self.class_name} · {timezone.localtime(self.picked_up_at):%m-%d %H:%M}"

    def clean(self) -> None:
        if not (self.unit_id and self.child_name and self.adult_name and self.picked_up_at):
            return
        if self.picked_up_at > timezone.now() + PAST_TOLERANCE:
            raise ValidationError({"picked_up_at": _("This time has not come yet.")})
        self.authorisation = PickupAuthorisation.objects.filter(
            unit_id=self.unit_id, child_name=self.child_name.strip(),
            class_name=self.class_name.strip(), adult_name=self.adult_name.strip(),
            valid_until__gte=timezone.localdate(self.picked_up_at)).first()
        if self.authorisation is None and not self.teacher_confirmed:
            raise ValidationError({"adult_name": _(
                "This adult is not authorised to pick up this child. Do not hand the child "
                "over: call the class teacher, who may confirm the adult in person.")})
