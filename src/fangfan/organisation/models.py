"""Organisation and responsibility (SPEC §1): bodies and their members (ORG-1, ORG-2),
external support units (ORG-4) and liaisons (ORG-5)."""
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.resources.models import Person


class BodyKind(models.TextChoices):
    LEADERSHIP_GROUP = "leadership_group", _("Leadership group")  # 领导小组
    OFFICE = "office", _("Leadership group office")  # 领导小组办公室
    RESPONSIBLE_DEPARTMENT = "responsible_department", _("Responsible department")  # 责任部门
    COMMAND_HQ = "command_hq", _("Incident command HQ")  # 应急指挥部
    ORDER_GROUP = "order_group", _("Order maintenance group")  # 秩序维护组
    MEDICAL_GROUP = "medical_group", _("Casualty treatment group")  # 伤员救治组
    RESCUE_GROUP = "rescue_group", _("Rescue and relief group")  # 抢险救灾组
    STABILITY_GROUP = "stability_group", _("Stability group")  # 维护稳定组
    AFTERMATH_GROUP = "aftermath_group", _("Aftermath group")  # 善后处置组
    DEPARTMENT = "department", _("Department")  # 部门 (ORG-2 duty matrix)


# A unit has at most one of each of these; departments and other groups may repeat.
SINGLE_KINDS = {BodyKind.LEADERSHIP_GROUP, BodyKind.OFFICE, BodyKind.RESPONSIBLE_DEPARTMENT,
                BodyKind.COMMAND_HQ}
RESPONSE_GROUPS = [BodyKind.ORDER_GROUP, BodyKind.MEDICAL_GROUP, BodyKind.RESCUE_GROUP,
                   BodyKind.STABILITY_GROUP, BodyKind.AFTERMATH_GROUP]


class Body(UnitRecord):
    """A body of the unit's counter-terrorism organisation, with its duty list."""

    kind = models.CharField(_("kind"), max_length=32, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    seat = models.CharField(_("seat"), max_length=100, blank=True,
                            help_text=_("Where the body sits, e.g. the logistics centre."))
    duties = models.TextField(_("duties"), blank=True, help_text=_("One duty per line."))

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["unit_path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="unique_body_name_per_unit")]

    def __str__(self) -> str:
        return self.name

    @property
    def duty_list(self) -> list[str]:
        return [line.strip() for line in self.duties.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.kind in SINGLE_KINDS and self.unit_id and Body.objects.filter(
                unit_id=self.unit_id, kind=self.kind).exclude(pk=self.pk).exists():
            raise ValidationError({"kind": _("The unit already has a body of this kind.")})

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            raise ValidationError(
                {"name": _("This unit already has a body with this name.")}) from exc


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")  # 组长
    DEPUTY_LEADER = "deputy_leader", _("Deputy leader")  # 副组长
    COMMANDER = "commander", _("Commander-in-chief")  # 总指挥
    DEPUTY_COMMANDER = "deputy_commander", _("Deputy commander")  # 副总指挥
    DIRECTOR = "director", _("Director")  # 主任
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")  # 副主任
    RESPONSIBLE_PERSON = "responsible_person", _("Responsible person")  # 责任人
    MEMBER = "member", _("Member")  # 成员


ROLE_ORDER = {role: i for i, role in enumerate(MemberRole.values)}


class Membership(UnitRecord):
    """A person of the unit in one of its bodies, with the role they hold there."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("body"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships",
                               verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=32, choices=MemberRole.choices,
                            default=MemberRole.MEMBER)
    note = models.CharField(_("note"), max_length=100, blank=True,
                            help_text=_("e.g. first responsible person, in charge of safety"))

    class Meta:
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        ordering = ["unit_path", "body", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["body", "person"],
                                               name="unique_member_per_body")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"

    def clean(self) -> None:
        errors = {}
        if self.body_id and self.unit_id and self.body.unit_id != self.unit_id:
            errors["body"] = _("The body belongs to another unit.")
        if self.person_id and self.unit_id and self.person.unit_id != self.unit_id:
            errors["person"] = _("Only people of the body's own unit can be members.")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            raise ValidationError(
                {"person": _("This person is already a member of this body.")}) from exc


class SupportKind(models.TextChoices):
    POLICE = "police", _("Police station")  # 派出所
    FIRE = "fire", _("Fire brigade")  # 消防救援站
    HOSPITAL = "hospital", _("Hospital")  # 医院
    GOVERNMENT = "government", _("Local government")  # 街道、乡镇
    OTHER = "other", _("Other")


class SupportUnit(UnitRecord):
    """An external unit that comes to help in an incident (外援单位, ORG-4)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=SupportKind.choices)
    phone = models.CharField(_("phone"), max_length=32)
    distance_km = models.DecimalField(_("distance (km)"), max_digits=6, decimal_places=1,
                                      validators=[MinValueValidator(0)])
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("support unit")
        verbose_name_plural = _("support units")
        ordering = ["unit_path", "distance_km", "name"]

    def __str__(self) -> str:
        return self.name


class Liaison(UnitRecord):
    """The person who reports for the unit or one of its departments (联络员, ORG-5)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="liaisons",
                               verbose_name=_("person"))
    department = models.CharField(_("department"), max_length=100, blank=True,
                                  help_text=_("Empty when the liaison reports for the whole "
                                              "unit."))
    duties = models.TextField(_("duties"), blank=True)

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")
        ordering = ["unit_path", "department"]

    def __str__(self) -> str:
        return f"{self.person} · {self.department or self.unit}"

    def clean(self) -> None:
        if self.person_id and self.unit_id and self.person.unit_id != self.unit_id:
            raise ValidationError({"person": _("Only people of the unit can be its liaison.")})
