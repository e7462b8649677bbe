"""People (RES-1), important locations (RES-2) and assets (RES-3, RES-4)."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord


class EmploymentType(models.TextChoices):
    STAFF = "staff", _("Permanent staff")
    CONTRACT = "contract", _("Contract")
    SECURITY_COMPANY = "security_company", _("Security company")
    PART_TIME = "part_time", _("Part-time")
    VOLUNTEER = "volunteer", _("Volunteer")
    OTHER = "other", _("Other")


class Person(UnitRecord):
    """Someone working at the unit: staff, teachers, guards, drivers (RES-1)."""

    name = models.CharField(_("name"), max_length=100)
    post = models.CharField(_("post"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    employment_type = models.CharField(_("employment type"), max_length=20,
                                       choices=EmploymentType.choices,
                                       default=EmploymentType.STAFF)
    is_guard = models.BooleanField(_("guard"), default=False)
    full_time = models.BooleanField(_("full-time"), default=True,
                                    help_text=_("Works full-time for the unit (专职)."))
    employer = models.CharField(_("employer"), max_length=100, blank=True,
                                help_text=_("For guards from a security company: the "
                                            "company."))
    contact_with_minors = models.BooleanField(
        _("in contact with minors"), default=True,
        help_text=_("Needs a background check at hiring and every year (Minors Protection "
                    "Law, Art. 62)."))
    # The account this person signs in with: the roster, patrols and the gate know who
    # is signed in without a name and phone typed a second time.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="person", verbose_name=_("user account"),
        error_messages={"unique": _("This user account is already linked to another "
                                    "person.")},
        help_text=_("The account this person signs in with, among those holding a role in "
                    "the person's unit."))

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit_path", "name"]
        # Every list is ordered by its default ordering: an index on it lets a page of a
        # province's records be read in order instead of sorting them all.
        indexes = [models.Index(fields=["unit_path", "name"]),
                   # The nightly run counts each unit's people by these flags (the
                   # background checks' facts) from the index alone: reading every
                   # person's row was half of that family's time at province scale.
                   models.Index(fields=["unit_path", "contact_with_minors", "is_guard"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An account may be linked only if it holds a role in the person's unit or below:
        someone of another school, or of an authority, is not this unit's person."""
        if self.user_id and self.unit_id:
            from fangfan.core.models import RoleGrant
            from fangfan.core.scoping import subtree_q

            if not RoleGrant.objects.filter(subtree_q("unit_path", [self.unit.path]),
                                            user_id=self.user_id).exists():
                raise ValidationError({"user": _(
                    "This account holds no role in the person's unit; only an account of "
                    "the unit can be linked to its person.")})


def person_of(user) -> Person | None:
    """The Person linked to a signed-in user (Person.user), or None for an anonymous user
    or an account not linked to anyone (an authority's supervisor, a robot)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).select_related("unit").first()


class LocationKind(models.TextChoices):
    MAIN_GATE = "main_gate", _("Main gate")
    ENTRANCE = "entrance", _("Other entrance")
    GATE_DUTY_ROOM = "gate_duty_room", _("Gate duty room")
    CANTEEN = "canteen", _("Canteen")
    DRINKING_WATER = "drinking_water", _("Drinking water point")
    POWER_ROOM = "power_room", _("Power distribution room")
    CONTROL_ROOM = "control_room", _("Security control room")
    INFORMATION_CENTRE = "information_centre", _("Information centre")
    LAB = "lab", _("Laboratory")
    CHEMICAL_STORE = "chemical_store", _("Hazardous chemical store")
    FINANCE_OFFICE = "finance_office", _("Finance office")
    DORMITORY = "dormitory", _("Dormitory")
    TEACHING_BUILDING = "teaching_building", _("Teaching building")
    PLAYGROUND = "playground", _("Playground")
    STORAGE = "storage", _("Storage")
    PERIMETER = "perimeter", _("Perimeter")
    DORMITORY_ROOM = "dormitory_room", _("Dormitory room")
    TOILET = "toilet", _("Toilet")
    CHANGING_ROOM = "changing_room", _("Changing room")
    NURSING_ROOM = "nursing_room", _("Nursing room")
    OTHER = "other", _("Other")


# Places where cameras would record people's privacy (RES-4a).
PRIVATE_KINDS = {LocationKind.DORMITORY_ROOM, LocationKind.TOILET, LocationKind.CHANGING_ROOM,
                 LocationKind.NURSING_ROOM}


class Location(UnitRecord):
    """A place of the unit, most importantly its key locations (重要部位, RES-2)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=LocationKind.choices)
    is_key = models.BooleanField(_("key location"), default=False)
    is_main_entrance = models.BooleanField(_("main entrance"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    unique_error = ("name", _("This unit already has a location with this name."))

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["unit_path", "name"]
        indexes = [models.Index(fields=["unit_path", "name"])]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="unique_location_name_per_unit")]

    def __str__(self) -> str:
        return self.name


    def clean(self) -> None:
        if (self.pk and self.kind in PRIVATE_KINDS
                and self.assets.filter(category=AssetCategory.CAMERA).exists()):
            raise ValidationError({"kind": _(
                "A camera is recorded here; cameras must not record places where people's "
                "privacy is exposed (Regulation on Public Security Video Image Information "
                "Systems, Art. 8). Move or remove the camera first.")})


class AssetCategory(models.TextChoices):
    # 物防 physical protection (RES-3)
    WALL_FENCE = "wall_fence", _("Wall or fence")
    ANTI_CLIMB_FENCE = "anti_climb_fence", _("Anti-climb fence")
    SECURITY_DOOR = "security_door", _("Security door")
    VEHICLE_BARRIER = "vehicle_barrier", _("Vehicle barrier or bollard")
    WARNING_SIGN = "warning_sign", _("Warning sign")
    LIGHTING = "lighting", _("Lighting")
    HELMET = "helmet", _("Protective helmet")
    SHIELD = "shield", _("Shield")
    STAB_VEST = "stab_vest", _("Stab-proof vest")
    CUT_GLOVES = "cut_gloves", _("Cut-resistant gloves")
    BATON = "baton", _("Rubber baton")
    STRONG_FLASHLIGHT = "strong_flashlight", _("Strong flashlight")
    DEFENCE_SPRAY = "defence_spray", _("Defence spray")
    STEEL_FORK = "steel_fork", _("Safety steel fork")
    SEAL = "seal", _("Seals")
    TEMPORARY_BARRIER = "temporary_barrier", _("Temporary barrier")
    TOWELS_MASKS = "towels_masks", _("Towels and masks")
    WALKIE_TALKIE = "walkie_talkie", _("Walkie-talkie")
    FLASHLIGHT = "flashlight", _("Flashlight")
    FIRE_EQUIPMENT = "fire_equipment", _("Fire equipment")
    BAGGAGE_STORAGE = "baggage_storage", _("Baggage storage")
    EMERGENCY_SUPPLIES = "emergency_supplies", _("Emergency supplies")
    # 技防 technical systems (RES-4)
    CAMERA = "camera", _("Camera")
    RECORDER = "recorder", _("Video recorder")
    INTRUSION_DETECTOR = "intrusion_detector", _("Intrusion detector")
    EMERGENCY_BUTTON = "emergency_button", _("Emergency alarm button")
    ALARM_CONTROLLER = "alarm_controller", _("Alarm controller")
    ALARM_DISPLAY = "alarm_display", _("Alarm map display")
    ACCESS_CONTROL = "access_control", _("Access control")
    ONE_KEY_ALARM = "one_key_alarm", _("One-key alarm")
    INFO_PROCESSING = "info_processing", _("Information processing unit")
    CONTROL_ROOM_SYSTEM = "control_room_system", _("Control room security system")
    PATROL_POINT = "patrol_point", _("Electronic patrol point")
    VEHICLE_GPS = "vehicle_gps", _("Vehicle GPS")


TECHNICAL = {
    AssetCategory.CAMERA, AssetCategory.RECORDER, AssetCategory.INTRUSION_DETECTOR,
    AssetCategory.EMERGENCY_BUTTON, AssetCategory.ALARM_CONTROLLER, AssetCategory.ALARM_DISPLAY,
    AssetCategory.ACCESS_CONTROL, AssetCategory.ONE_KEY_ALARM, AssetCategory.INFO_PROCESSING,
    AssetCategory.CONTROL_ROOM_SYSTEM, AssetCategory.PATROL_POINT, AssetCategory.VEHICLE_GPS,
}

# Which typed attribute belongs to which categories; others must stay empty.
ATTRIBUTES: dict[str, set[str]] = {
    "retention_days": {AssetCategory.RECORDER},
    "night_capable": {AssetCategory.CAMERA, AssetCategory.LIGHTING},
    "identifies_faces": {AssetCategory.CAMERA},
    "identifies_plates": {AssetCategory.CAMERA},
    # A video recorder stands for the video system it records: its link to the public
    # security video platform (与公安机关联网, seed 004) is the system's.
    "police_networked": {AssetCategory.ONE_KEY_ALARM, AssetCategory.EMERGENCY_BUTTON,
                         AssetCategory.ALARM_CONTROLLER, AssetCategory.RECORDER},
    "distance_to_key_m": {AssetCategory.BAGGAGE_STORAGE},
}


class AssetStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    FAULTY = "faulty", _("Faulty")
    RETIRED = "retired", _("Retired")


class Asset(UnitRecord):
    """A physical-protection item or technical system (RES-3, RES-4) with the typed
    attributes the standards look at (retention days, night capability ...)."""

    same_unit = {"location": _("The location belongs to another unit.")}

    category = models.CharField(_("category"), max_length=32, choices=AssetCategory.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT,
                                 verbose_name=_("location"), related_name="assets")
    quantity = models.PositiveIntegerField(_("quantity"), default=1,
                                           validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=16, choices=AssetStatus.choices,
                              default=AssetStatus.IN_SERVICE)
    retention_days = models.PositiveIntegerField(_("retention days"), null=True, blank=True)
    night_capable = models.BooleanField(_("works at night"), null=True, blank=True)
    identifies_faces = models.BooleanField(_("identifies faces"), null=True, blank=True)
    identifies_plates = models.BooleanField(_("identifies plates"), null=True, blank=True)
    police_networked = models.BooleanField(_("networked to police"), null=True, blank=True)
    distance_to_key_m = models.DecimalField(_("distance to nearest key location (m)"),
                                            max_digits=7, decimal_places=1, null=True,
                                            blank=True, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["unit_path", "category", "name"]
        indexes = [models.Index(fields=["unit_path", "category", "name"])]

    def __str__(self) -> str:
        return self.name or self.get_category_display()

    @property
    def is_technical(self) -> bool:
        return self.category in TECHNICAL

    def _back_in_service_while_faulty(self) -> bool:
        """Set back to in service by hand while a fault is open: the restore of the fault
        does that (resources.services), so the status and the faults cannot disagree."""
        if not self.pk or self.status != AssetStatus.IN_SERVICE:
            return False
        was = Asset.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        return (was != AssetStatus.IN_SERVICE
                and self.faults.filter(restored_at__isnull=True).exists())

    def clean(self) -> None:
        errors = {}
        own_place = self.location_id and self.location.unit_id == self.unit_id  # same_unit
        if (self.category == AssetCategory.CAMERA and own_place
                and self.location.kind in PRIVATE_KINDS):
            errors["location"] = _(
                "No camera may be placed in a %(kind)s: video systems must not record "
                "places where people's privacy is exposed (Regulation on Public Security "
                "Video Image Information Systems, Art. 8).") % {
                    "kind": self.location.get_kind_display().lower()}
        for attr, categories in ATTRIBUTES.items():
            if getattr(self, attr) is not None and self.category not in categories:
                errors[attr] = _("Does not apply to this category.")
        if self._back_in_service_while_faulty():
            errors["status"] = _(
                "A fault of this asset is not restored yet. Record the repair on the fault: "
                "the asset is then in service again.")
        if errors:
            raise ValidationError(errors)
