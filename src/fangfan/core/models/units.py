"""The unit tree (SPEC §0). Materialized path: each unit's `path` is its ancestors'
8-digit ids concatenated, so a subtree is one index range (see core.scoping)."""
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangfan.core.models.records import RecordUrlMixin

PATH_SEGMENT_WIDTH = 8


class UnitKind(models.TextChoices):
    POLICE_BUREAU = "police_bureau", _("Public security bureau")
    EDUCATION_BUREAU = "education_bureau", _("Education bureau")
    SUB_DISTRICT = "sub_district", _("Sub-district")
    UNIVERSITY = "university", _("University")
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    INSTITUTE = "institute", _("Institute")
    COMMUNITY = "community", _("Community")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    SECONDARY = "secondary", _("Secondary school")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class Locale(models.TextChoices):
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    RURAL = "rural", _("Rural")


class KeyTargetGrade(models.IntegerChoices):
    NONE = 0, _("Not a key target")
    GRADE_1 = 1, _("Key target grade 1")
    GRADE_2 = 2, _("Key target grade 2")
    GRADE_3 = 3, _("Key target grade 3")


class Unit(RecordUrlMixin, models.Model):
    """A node of the one unit tree: an authority, a school, a department ..."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(_("tree path"), max_length=255, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=64, unique=True,
                            help_text=_("Stable short code used by scripts and imports."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    stage = models.CharField(_("school stage"), max_length=16, choices=Stage.choices, blank=True)
    locale = models.CharField(_("locale"), max_length=8, choices=Locale.choices, blank=True)
    boarding = models.BooleanField(_("boarding"), default=False)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    student_count = models.PositiveIntegerField(_("students"), default=0)
    boarder_count = models.PositiveIntegerField(_("boarders"), default=0)
    key_target_grade = models.PositiveSmallIntegerField(
        _("key-target grade"), choices=KeyTargetGrade.choices, default=KeyTargetGrade.NONE,
        validators=[MinValueValidator(0)],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_SEGMENT_WIDTH

    @property
    def unit_path(self) -> str:
        """A unit is scoped by its own path (the record machinery reads `unit_path`)."""
        return self.path

    def ancestors(self) -> models.QuerySet["Unit"]:
        """Ancestors from the root down, in one query (prefixes of the path)."""
        w = PATH_SEGMENT_WIDTH
        prefixes = [self.path[: i * w] for i in range(1, self.depth)]
        return Unit.objects.filter(path__in=prefixes).order_by("path")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.boarder_count and not self.boarding:
            raise ValidationError({"boarder_count": _("Only a boarding unit can have boarders.")})
        if self.boarder_count > self.student_count:
            raise ValidationError(
                {"boarder_count": _("Boarders cannot outnumber students.")}
            )
