"""Organisation and responsibility (SPEC §1): bodies and their members (ORG-1, ORG-2),
external support units (ORG-4), liaisons (ORG-5) and the unit's rules (ORG-7)."""
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fangfan.core.fields import ChoiceListField
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


class DutyArea(models.TextChoices):
    """Areas of counter-terrorism work a body's duties cover (the columns of the duty
    matrix, ORG-2; taken from the sub-district plan of seed 003)."""

    COORDINATION = "coordination", _("Organisation and coordination")  # 组织协调
    SCREENING = "screening", _("Screening and control")  # 排查管控
    PATROL = "patrol", _("Patrols")  # 巡逻防控
    GUARDING = "guarding", _("Internal security")  # 内部安保
    HAZARDOUS = "hazardous", _("Hazardous materials")  # 危险品管控
    TECHNICAL = "technical", _("Technical protection")  # 技防建设
    TRAINING = "training", _("Publicity and training")  # 宣传培训
    DRILLS = "drills", _("Drills")  # 应急演练
    RESPONSE = "response", _("Emergency response")  # 应急处置
    MEDICAL = "medical", _("Medical aid")  # 医疗救护
    INFORMATION = "information", _("Information and reporting")  # 信息报送


class Body(UnitRecord):
    """A body of the unit's counter-terrorism organisation, with its duty list."""

    kind = models.CharField(_("kind"), max_length=32, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    seat = models.CharField(_("seat"), max_length=100, blank=True,
                            help_text=_("Where the body sits, e.g. the logistics centre."))
    duties = models.TextField(_("duties"), blank=True, help_text=_("One duty per line."))
    areas = ChoiceListField(_("areas of work"), options=DutyArea.choices,
                            help_text=_("What its duties cover: the columns of the duty "
                                        "matrix."))

    unique_error = ("name", _("This unit already has a body with this name."))

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
    # The role's rank (leader first), so members list in the order a plan names them.
    rank = models.PositiveSmallIntegerField(default=0, editable=False)

    unique_error = ("person", _("This person is already a member of this body."))
    same_unit = {"body": _("The body belongs to another unit."),
                 "person": _("Only people of the body's own unit can be members.")}

    class Meta:
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        ordering = ["unit_path", "body", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["body", "person"],
                                               name="unique_member_per_body")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"

    def clean(self) -> None:
        self.rank = ROLE_ORDER.get(self.role, len(ROLE_ORDER))



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

    same_unit = {"person": _("Only people of the unit can be its liaison.")}

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")
        ordering = ["unit_path", "department"]

    def __str__(self) -> str:
        return f"{self.person} · {self.department or self.unit}"


class LetterCampaign(UnitRecord):
    """A year's responsibility letters (责任书/承诺书, ORG-3), issued by a unit down its
    chain: to the units below it, to its departments, to its posts."""

    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("sign by"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("letter campaign")
        verbose_name_plural = _("letter campaigns")
        ordering = ["unit_path", "-year", "title"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def completion(self) -> dict:
        """Signed of issued, overdue, and the same per signing unit (the subtree)."""
        from django.db.models import Count, Q

        late = Q(signed_on__isnull=True) & Q(campaign__deadline__lt=timezone.localdate())
        rows = list(self.letters.values("unit__name").annotate(
            issued=Count("id"), signed=Count("id", filter=Q(signed_on__isnull=False)),
            overdue=Count("id", filter=late)).order_by("unit__name"))
        for r in rows:
            r["rate"] = round(100 * r["signed"] / r["issued"], 1)
        issued = sum(r["issued"] for r in rows)
        signed = sum(r["signed"] for r in rows)
        return {"issued": issued, "signed": signed,
                "overdue": sum(r["overdue"] for r in rows),
                "rate": round(100 * signed / issued, 1) if issued else None, "units": rows}

    def clean(self) -> None:
        if self.issued_on and self.deadline and self.deadline < self.issued_on:
            raise ValidationError({"deadline": _("The deadline lies before the issue date.")})


class Letter(UnitRecord):
    """One responsibility letter, tracked to its signature; the signed scan is attached as
    evidence. `unit` is the signer's unit: the campaign's own or one below it."""

    campaign = models.ForeignKey(LetterCampaign, on_delete=models.PROTECT,
                                 related_name="letters", verbose_name=_("campaign"))
    department = models.ForeignKey(Body, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="letters", verbose_name=_("department"),
                                   help_text=_("Empty for a letter to a unit or a post."))
    signer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="letters",
                               verbose_name=_("signed by"))
    issued_on = models.DateField(_("issued on"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    same_unit = {"signer": _("The signer must belong to the letter's unit."),
                 "department": _("The department belongs to another unit.")}

    class Meta:
        verbose_name = _("responsibility letter")
        verbose_name_plural = _("responsibility letters")
        ordering = ["unit_path", "campaign", "id"]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.signer}"

    @property
    def overdue(self) -> bool:
        return self.signed_on is None and self.campaign.deadline < timezone.localdate()

    def clean(self) -> None:
        errors = {}
        if self.campaign_id and self.unit_id:
            if not self.unit.path.startswith(self.campaign.unit_path):
                errors["campaign"] = _("The campaign was issued by a unit outside this "
                                       "unit's chain.")
            elif self.issued_on and self.issued_on < self.campaign.issued_on:
                errors["issued_on"] = _("A letter cannot be issued before its campaign.")
        if self.signed_on and self.issued_on and self.signed_on < self.issued_on:
            errors["signed_on"] = _("A letter cannot be signed before it was issued.")
        if self.signed_on and self.signed_on > timezone.localdate():
            errors["signed_on"] = _("This date lies in the future.")
        if self.campaign_id and self.signer_id and Letter.objects.filter(
                campaign_id=self.campaign_id, signer_id=self.signer_id,
                department_id=self.department_id).exclude(pk=self.pk).exists():
            errors["signer"] = _("This campaign already has a letter for this signer.")
        if errors:
            raise ValidationError(errors)


class CaseKind(models.TextChoices):
    REWARD = "reward", _("Reward")  # 表彰奖励
    ACCOUNTABILITY = "accountability", _("Accountability")  # 责任追究


class CaseGround(models.TextChoices):
    """The grounds of seed 000 §七 and §八 (ORG-6)."""

    OUTSTANDING_WORK = "outstanding_work", _("Outstanding prevention work")
    INCIDENT_CONTRIBUTION = "incident_contribution", _(
        "Contribution in an incident, emergency or special period")
    NOT_IMPLEMENTED = "not_implemented", _("Instructions not implemented")
    ABSENT_FROM_POST = "absent_from_post", _("Absent from the post or duties not performed")
    STANDARDS_NOT_FOLLOWED = "standards_not_followed", _("Standards or rules not followed")
    FACILITIES_MISSING = "facilities_missing", _("Required protection facilities missing")
    LATE_REPORTING = "late_reporting", _("Information reported late or not at all")
    RECTIFICATION_LATE = "rectification_late", _("Rectification not done on time")
    MAJOR_HAZARD = "major_hazard", _("Major hazard found in inspection")
    OTHER = "other", _("Other")


REWARD_GROUNDS = {CaseGround.OUTSTANDING_WORK, CaseGround.INCIDENT_CONTRIBUTION,
                  CaseGround.OTHER}


class Case(UnitRecord):
    """A reward or an accountability case (ORG-6), linked to the records that justify it."""

    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    ground = models.CharField(_("ground"), max_length=32, choices=CaseGround.choices)
    title = models.CharField(_("title"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="cases", verbose_name=_("person"))
    department = models.ForeignKey(Body, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="cases", verbose_name=_("department"))
    description = models.TextField(_("description"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True,
                               help_text=_("e.g. commendation, written warning"))

    same_unit = {"person": _("The person belongs to another unit."),
                 "department": _("The department belongs to another unit.")}

    class Meta:
        verbose_name = _("reward or accountability case")
        verbose_name_plural = _("rewards and accountability")
        ordering = ["unit_path", "-decided_on"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.kind == CaseKind.REWARD and self.ground and self.ground not in REWARD_GROUNDS:
            errors["ground"] = _("This ground is one for accountability, not for a reward.")
        if (self.kind == CaseKind.ACCOUNTABILITY and self.ground
                in (CaseGround.OUTSTANDING_WORK, CaseGround.INCIDENT_CONTRIBUTION)):
            errors["ground"] = _("This ground is one for a reward, not for accountability.")
        if not self.person_id and not self.department_id:
            errors["person"] = _("Name the person or the department concerned.")
        if self.decided_on and self.decided_on > timezone.localdate():
            errors["decided_on"] = _("This date lies in the future.")
        if errors:
            raise ValidationError(errors)


def linkable_types() -> list[tuple[str, str]]:
    """Record types a case may cite (evaluated when a form is built). Not those that need
    a grant (the persons-of-concern ledger): a case is read without it, and citing a
    record by number would tell whether it exists."""
    from fangfan.core.registry import record_types

    return [(rt.slug, rt.verbose_name) for rt in record_types()
            if rt.slug not in ("units", "case-links") and not rt.requires_grant]


class CaseLink(UnitRecord):
    """A record that justifies a case: a fault left unrepaired, an unsigned letter …
    The record must lie in the case's unit or below it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links",
                             verbose_name=_("case"))
    record_type = models.CharField(_("record type"), max_length=64, choices=linkable_types)
    record_id = models.PositiveIntegerField(_("record number"))
    label = models.CharField(_("record"), max_length=200, editable=False, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    same_unit = {"case": _("The case belongs to another unit.")}

    class Meta:
        verbose_name = _("case evidence")
        verbose_name_plural = _("case evidence")
        ordering = ["unit_path", "case", "id"]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()} · {self.label}"

    def target(self):
        from fangfan.core.registry import get

        try:
            rt = get(self.record_type)
        except KeyError:  # refused by the field's choices
            return None
        return rt.model.objects.filter(pk=self.record_id).first()

    def clean(self) -> None:
        errors = {}
        known = self.record_type in dict(linkable_types())
        target = self.target() if known and self.record_id else None
        if known and self.record_id and self.unit_id and (
                target is None or not self._within(target)):
            errors["record_id"] = _("No such record in this unit or below it.")
        if errors:
            raise ValidationError(errors)
        if target is not None:
            self.label = str(target)[:200]

    def _within(self, target) -> bool:
        """The cited record lies in the case's subtree (no reference across units)."""
        from fangfan.core.services import _path_of

        return _path_of(target).startswith(self.unit.path)


class RuleKind(models.TextChoices):
    """The unit's rule system (制度体系, seed 001 §二; ORG-7)."""

    DUTY = "duty", _("Duty and leaders on duty")  # 值班及领导带班制度
    VISITOR = "visitor", _("Gate, visitors and vehicles")  # 门卫及来访人员车辆登记制度
    PATROL = "patrol", _("Patrols")  # 安全巡查制度
    KEY_LOCATION = "key_location", _("Key locations")  # 重点部位管理制度
    # 危险物品管理（双人双锁）
    HAZARDOUS = "hazardous", _("Hazardous materials (two people, two locks)")
    REPORTING = "reporting", _("Information reporting")  # 信息报告制度
    EMERGENCY = "emergency", _("Emergency response")  # 应急处置制度
    INSPECTION = "inspection", _("Safety inspections and risk assessment")  # 安全检查及风险评估制度
    TRAINING = "training", _("Training and drills")  # 教育培训及演练制度
    OTHER = "other", _("Other")


# The rules seed 001 asks every school to have: daily security management (duty, patrols),
# risk assessment (inspections), emergency response, key locations, people and vehicles
# (gate and visitors) and information reporting.
REQUIRED_RULES = (RuleKind.DUTY, RuleKind.VISITOR, RuleKind.PATROL, RuleKind.KEY_LOCATION,
                  RuleKind.REPORTING, RuleKind.EMERGENCY, RuleKind.INSPECTION)


class RuleDocument(UnitRecord):
    """One version of one of the unit's rules (制度, ORG-7), its approved text attached as
    evidence. A new version names the one it replaces; once approved, the old one is
    superseded (kept as history). The rule in force is the latest approved version."""

    kind = models.CharField(_("kind"), max_length=32, choices=RuleKind.choices)
    title = models.CharField(_("title"), max_length=200)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successor",
        verbose_name=_("replaces"), help_text=_("The earlier version this one replaces."))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    approved_on = models.DateField(_("approved on"), null=True, blank=True,
                                   help_text=_("Empty while the version is a draft."))
    approved_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="approved_rules",
                                    verbose_name=_("approved by"),
                                    help_text=_("Usually the principal."))
    review_due = models.DateField(_("review by"))
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True,
                                     editable=False)
    notes = models.TextField(_("notes"), blank=True)

    same_unit = {"supersedes": _("The earlier version belongs to another unit."),
                 "approved_by": _("The approver belongs to another unit.")}

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["unit_path", "kind", "title", "-version"]
        indexes = [models.Index(fields=["unit_path", "kind", "title", "-version"],
                                name="rule_document_order")]

    def __str__(self) -> str:
        return gettext("%(title)s (version %(version)s)") % {"title": self.title,
                                                            "version": self.version}

    @property
    def in_force(self) -> bool:
        return self.approved_on is not None and self.superseded_on is None

    def clean(self) -> None:
        errors = {}
        today = timezone.localdate()
        previous = self.supersedes if self.supersedes_id else None
        if previous is not None:
            self.version = previous.version + 1
            if previous.kind != self.kind:
                errors["supersedes"] = _("A new version keeps the kind of the rule it "
                                         "replaces.")
            elif previous.approved_on is None:
                errors["supersedes"] = _("Only an approved version can be replaced.")
            elif self.approved_on and self.approved_on < previous.approved_on:
                errors["approved_on"] = _("A new version cannot be approved before the "
                                          "one it replaces.")
        else:
            self.version = 1
        if self.approved_on and self.approved_on > today:
            errors.setdefault("approved_on", _("This date lies in the future."))
        if self.approved_on and not self.approved_by_id:
            errors["approved_by"] = _("Name who approved the rule.")
        if self.approved_on and self.review_due and self.review_due <= self.approved_on:
            errors["review_due"] = _("The review date lies before the approval.")
        if errors:
            raise ValidationError(errors)
