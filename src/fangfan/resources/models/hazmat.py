"""Hazardous materials (RES-8): stores of hazardous chemicals and radioactive sources
in labs, their inventory, and the log of what goes in and out under the
two-person-two-lock rule (双人双锁, seed 001): two named custodians each hold one key,
and every opening of the store — each receipt, issue, return or disposal — is signed by
both. The stock of an item is computed from its log, never typed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.resources.models.catalogue import Location, Person

QUANTITY_MAX = Decimal("999999.999")


def plain(quantity: Decimal) -> str:
    """500.000 → 500, 12.500 → 12.5: a quantity as people write it."""
    return format(quantity.normalize(), "f")


class HazmatStore(UnitRecord):
    """A locked store (cabinet or room) of hazardous materials and its two custodians.
    A custodian may be left empty — the store is then recorded as it is, a gap — but
    never the same person twice: one person holding both keys defeats the rule."""

    same_unit = {"location": _("The location belongs to another unit."),
                 "custodian_1": _("The person belongs to another unit."),
                 "custodian_2": _("The person belongs to another unit.")}

    name = models.CharField(_("name"), max_length=100)
    location = models.ForeignKey(Location, on_delete=models.PROTECT,
                                 related_name="hazmat_stores", verbose_name=_("location"))
    custodian_1 = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("first custodian"), help_text=_("Holds the key of the first lock."))
    custodian_2 = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("second custodian"),
        help_text=_("Holds the key of the second lock; not the first custodian."))
    notes = models.TextField(_("notes"), blank=True)

    unique_error = ("name", _("This unit already has a hazardous-materials store with this "
                              "name."))

    class Meta:
        verbose_name = _("hazardous-materials store")
        verbose_name_plural = _("hazardous-materials stores")
        ordering = ["unit_path", "name"]
        indexes = [models.Index(fields=["unit_path", "name"])]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="unique_hazmat_store_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def custodians(self) -> set[int]:
        return {pk for pk in (self.custodian_1_id, self.custodian_2_id) if pk}

    def clean(self) -> None:
        if self.custodian_1_id and self.custodian_1_id == self.custodian_2_id:
            raise ValidationError({"custodian_2": _(
                "The two keys must be held by two different people (双人双锁).")})


class HazmatCategory(models.TextChoices):
    FLAMMABLE = "flammable", _("Flammable")  # 易燃
    EXPLOSIVE_PRECURSOR = "explosive_precursor", _("Explosive precursor")  # 易制爆
    TOXIC = "toxic", _("Toxic")  # 有毒、剧毒
    CORROSIVE = "corrosive", _("Corrosive")  # 腐蚀性
    OXIDISING = "oxidising", _("Oxidising")  # 氧化性
    DRUG_PRECURSOR = "drug_precursor", _("Drug precursor")  # 易制毒
    RADIOACTIVE = "radioactive", _("Radioactive source")  # 放射源
    OTHER = "other", _("Other")


class MeasureUnit(models.TextChoices):
    GRAM = "g", _("grams")
    KILOGRAM = "kg", _("kilograms")
    MILLILITRE = "ml", _("millilitres")
    LITRE = "l", _("litres")
    PIECE = "piece", _("pieces")


class HazmatItem(UnitRecord):
    """A material kept in a store. Its stock follows from the log (HazmatMovement)."""

    same_unit = {"store": _("The store belongs to another unit.")}

    store = models.ForeignKey(HazmatStore, on_delete=models.PROTECT, related_name="items",
                              verbose_name=_("store"))
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=24,
                                choices=HazmatCategory.choices)
    measure = models.CharField(_("unit of measure"), max_length=8,
                               choices=MeasureUnit.choices)
    stock = models.DecimalField(_("in stock"), max_digits=13, decimal_places=3,
                                default=Decimal(0), editable=False,
                                help_text=_("Computed from the receipts, issues, returns and "
                                            "disposals in the log."))

    unique_error = ("name", _("This store already has a material with this name."))

    class Meta:
        verbose_name = _("hazardous material")
        verbose_name_plural = _("hazardous materials")
        ordering = ["unit_path", "store", "name"]
        indexes = [models.Index(fields=["unit_path", "store", "name"])]
        constraints = [models.UniqueConstraint(fields=["store", "name"],
                                               name="unique_hazmat_item_per_store")]

    def __str__(self) -> str:
        return self.name  # lists name many: never a query per row for the store

    def computed_stock(self, without: int | None = None) -> Decimal:
        """What the log leaves in the store (without one movement, being changed)."""
        log = self.movements.exclude(pk=without) if without else self.movements.all()
        total = log.aggregate(total=Sum(Case(
            When(kind__in=INCOMING, then=F("quantity")), default=-F("quantity"),
            output_field=models.DecimalField(max_digits=13, decimal_places=3))))["total"]
        return total or Decimal(0)


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")  # 入库
    ISSUE = "issue", _("Issue")  # 领用
    RETURN = "return", _("Return")  # 归还
    DISPOSAL = "disposal", _("Disposal")  # 报废处置


INCOMING = (MovementKind.RECEIPT, MovementKind.RETURN)


class HazmatMovement(UnitRecord):
    """One opening of the store: what went in or out, when and why, signed by both
    custodians of the store (each unlocks one lock). Refused when one person signs twice,
    a signature is missing or is not a custodian's, or more would leave than is in stock."""

    same_unit = {"item": _("The material belongs to another unit."),
                 "signed_by_1": _("The person belongs to another unit."),
                 "signed_by_2": _("The person belongs to another unit.")}

    item = models.ForeignKey(HazmatItem, on_delete=models.PROTECT, related_name="movements",
                             verbose_name=_("material"))
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=3, validators=[
            MinValueValidator(Decimal("0.001"), message=_("Enter a quantity above zero.")),
            MaxValueValidator(QUANTITY_MAX, message=_(
                "A quantity above 999,999.999 is not credible: check the figure."))])
    moved_at = models.DateTimeField(_("when"), default=timezone.now)
    purpose = models.CharField(_("purpose"), max_length=200,
                               help_text=_("e.g. the experiment and class it is issued for"))
    recipient = models.CharField(_("received or returned by"), max_length=100, blank=True)
    # Nullable in the database only, so that a log written around Fangfan (a restore, a
    # migration of old paper records) can show a missing signature as a gap; every write
    # through Fangfan needs both (blank=False).
    signed_by_1 = models.ForeignKey(Person, null=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("signed by (first key)"))
    signed_by_2 = models.ForeignKey(Person, null=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("signed by (second key)"))

    class Meta:
        verbose_name = _("hazardous-materials movement")
        verbose_name_plural = _("hazardous-materials log")
        ordering = ["unit_path", "-moved_at"]
        indexes = [models.Index(fields=["unit_path", "moved_at"])]

    def __str__(self) -> str:
        return f"{self.item.name} · {self.get_kind_display()} {self.quantity}"

    def clean(self) -> None:
        if self.moved_at and self.moved_at > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError({"moved_at": _("This time lies in the future.")})
        if not self.item_id or self.item.unit_id != self.unit_id:
            return  # the item's own error is said
        errors = self._signature_errors()
        if not errors and self.kind and isinstance(self.quantity, Decimal):
            errors = self._stock_errors()
        if errors:
            raise ValidationError(errors)

    def _signature_errors(self) -> dict:
        store = self.item.store
        if len(store.custodians) < 2:
            return {"item": _(
                "The store %(store)s has not two custodians: name both key holders on the "
                "store before recording what goes in or out (双人双锁).") % {"store": store}}
        if self.signed_by_1_id and self.signed_by_1_id == self.signed_by_2_id:
            return {"signed_by_2": _(
                "Signed twice by the same person: both custodians sign, each with their own "
                "key (双人双锁).")}
        errors = {}
        for name in ("signed_by_1", "signed_by_2"):
            pk = getattr(self, f"{name}_id")
            if pk and pk not in store.custodians:
                errors[name] = _("Not a custodian of %(store)s: only its two key holders "
                                 "sign.") % {"store": store}
        return errors

    def _stock_errors(self) -> dict:
        change = self.quantity if self.kind in INCOMING else -self.quantity
        left = self.item.computed_stock(without=self.pk) + change
        if left >= 0:
            return {}
        if self.kind in INCOMING:  # a receipt made smaller than what was issued since
            return {"quantity": _("More has been issued than this would have brought in: "
                                  "the stock would fall below zero.")}
        return {"quantity": _(
            "Only %(stock)s %(measure)s of %(item)s are in stock: more cannot leave the "
            "store.") % {"stock": plain(self.item.computed_stock(without=self.pk)),
                         "measure": self.item.get_measure_display(), "item": self.item.name}}
