"""Standards as data (SPEC STD-1…3): packs of requirements, which packs are active in
a subtree, and the computed result per unit × requirement."""
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord


class Category(models.TextChoices):
    PEOPLE = "people", _("People-based protection")  # 人防
    PHYSICAL = "physical", _("Physical protection")  # 物防
    TECHNICAL = "technical", _("Technical protection")  # 技防
    RULES = "rules", _("Rules and organisation")  # 制度
    DRILLS = "drills", _("Drills")  # 演练
    TRAINING = "training", _("Training")  # 培训
    INFORMATION = "information", _("Information")  # 信息


class Status(models.TextChoices):
    MET = "met", _("Met")
    UNMET = "unmet", _("Unmet")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    UNKNOWN = "unknown", _("Unknown")


def localized(texts: dict) -> str:
    """Pick the text of the active language from a {"zh-hans": …, "en": …} map."""
    lang = (get_language() or "zh-hans").lower()
    return texts.get(lang) or texts.get("zh-hans") or next(iter(texts.values()), "")


class Pack(models.Model):
    """A versioned standard pack loaded from YAML; rows are upserted by URN."""

    urn = models.CharField(_("URN"), max_length=200, unique=True)
    version = models.PositiveIntegerField(_("version"))
    name = models.JSONField(_("name"))
    document = models.JSONField(_("source document"))
    checksum = models.CharField(_("checksum"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("standard pack")
        verbose_name_plural = _("standard packs")
        ordering = ["urn"]

    def __str__(self) -> str:
        return localized(self.name)


class Requirement(models.Model):
    """One machine-checkable requirement with its citation and texts."""

    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, related_name="requirements")
    urn = models.CharField(_("URN"), max_length=250, unique=True)
    ref = models.CharField(_("reference"), max_length=32, blank=True)
    order = models.PositiveIntegerField(default=0)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    citation = models.JSONField(_("citation"))
    text = models.JSONField(_("text"))
    remedy = models.JSONField(_("how to fix"))
    spec = models.JSONField(_("rule"))
    confidence = models.CharField(_("confidence"), max_length=1, default="H")

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["pack__urn", "order"]

    def __str__(self) -> str:
        return f"{self.ref or self.urn}: {localized(self.text)}"


class PackActivation(UnitRecord):
    """An authority activates a pack for its subtree (inherited downward)."""

    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, verbose_name=_("standard pack"))

    class Meta:
        verbose_name = _("pack activation")
        verbose_name_plural = _("pack activations")
        constraints = [models.UniqueConstraint(fields=["unit", "pack"],
                                               name="unique_pack_activation")]

    def __str__(self) -> str:
        return f"{self.pack} @ {self.unit}"


class Result(UnitRecord):
    """The computed status of one requirement for one unit, with what it was based on."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE,
                                    verbose_name=_("requirement"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    required = models.FloatField(_("required"), null=True)
    actual = models.FloatField(_("actual"), null=True)
    governing = models.BooleanField(_("governing"), default=False)
    reason = models.CharField(_("unknown facts"), max_length=300, blank=True)
    facts = models.JSONField(_("facts used"), default=dict, blank=True)
    pack_version = models.PositiveIntegerField(_("pack version"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("compliance result")
        verbose_name_plural = _("compliance results")
        constraints = [models.UniqueConstraint(fields=["unit", "requirement"],
                                               name="unique_result")]
        indexes = [models.Index(fields=["unit_path", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.requirement.ref or self.requirement.urn}: {self.status}"
