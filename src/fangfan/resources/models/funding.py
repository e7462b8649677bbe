"""Dedicated security funding (RES-7, Counter-Terrorism Law Art. 32: 专项资金): a unit's
budget for a year and its lines — what was planned and spent on equipment, guards,
training and upkeep, each line with its evidence (invoices, contracts) attached."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.resources.models.catalogue import Asset

# No unit's yearly security budget comes near a billion yuan: a larger figure is a typing
# mistake (or an attack on the totals), refused rather than summed.
AMOUNT_MAX = Decimal("999999999.99")
YEAR_MIN, YEAR_MAX = 2000, 2100


def amount_field(verbose_name, **kwargs) -> models.DecimalField:
    """An amount in yuan, to the fen: never negative, never beyond AMOUNT_MAX."""
    return models.DecimalField(
        verbose_name, max_digits=11, decimal_places=2, validators=[
            MinValueValidator(Decimal(0), message=_("An amount cannot be negative.")),
            MaxValueValidator(AMOUNT_MAX, message=_(
                "An amount above 999,999,999.99 yuan is not credible: check the figure."))],
        **kwargs)


class SecurityBudget(UnitRecord):
    """The unit's dedicated security funding for one calendar (budget) year. What was
    spent is the sum of its lines, never typed."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)])
    budgeted = amount_field(_("budgeted (yuan)"))
    spent = models.DecimalField(_("spent (yuan)"), max_digits=13, decimal_places=2,
                                default=Decimal(0), editable=False,
                                help_text=_("The sum of the lines' spending."))
    note = models.TextField(_("note"), blank=True,
                            help_text=_("e.g. the approval or the source of the funds"))

    unique_error = ("year", _("This unit already has a security budget for this year."))

    class Meta:
        verbose_name = _("security budget")
        verbose_name_plural = _("security budgets")
        ordering = ["unit_path", "-year"]
        indexes = [models.Index(fields=["unit_path", "year"])]
        constraints = [models.UniqueConstraint(fields=["unit", "year"],
                                               name="unique_security_budget_year")]

    def __str__(self) -> str:
        return _("Security budget %(year)s") % {"year": self.year}

    def lines_budgeted(self, without: int | None = None) -> Decimal:
        lines = self.lines.exclude(pk=without) if without else self.lines.all()
        return lines.aggregate(total=Sum("budgeted"))["total"] or Decimal(0)

    def clean(self) -> None:
        # An amount its field refused stays as typed (a text): its own error is said.
        if self.pk and isinstance(self.budgeted, Decimal) and \
                self.budgeted < self.lines_budgeted():
            raise ValidationError({"budgeted": _(
                "The lines of this budget plan %(total)s yuan: the budget cannot be less.")
                % {"total": self.lines_budgeted()}})


class BudgetCategory(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment and facilities")  # 设施设备
    GUARDS = "guards", _("Guard services")  # 保安服务
    TRAINING = "training", _("Training and drills")  # 培训演练
    MAINTENANCE = "maintenance", _("Maintenance")  # 运行维护
    OTHER = "other", _("Other")


class BudgetLine(UnitRecord):
    """One item of a budget: planned and spent, optionally the asset it bought."""

    same_unit = {"budget": _("The budget belongs to another unit."),
                 "asset": _("The asset belongs to another unit.")}

    budget = models.ForeignKey(SecurityBudget, on_delete=models.PROTECT, related_name="lines",
                               verbose_name=_("budget"))
    item = models.CharField(_("item"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=BudgetCategory.choices)
    budgeted = amount_field(_("budgeted (yuan)"))
    spent = amount_field(_("spent (yuan)"), default=Decimal(0))
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="budget_lines", verbose_name=_("asset bought"))

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["unit_path", "budget", "category", "item"]
        indexes = [models.Index(fields=["unit_path", "budget", "category", "item"])]

    def __str__(self) -> str:
        return self.item

    def clean(self) -> None:
        if (self.budget_id is None or not isinstance(self.budgeted, Decimal)
                or self.budget.unit_id != self.unit_id):
            return  # the field's own error (a refused amount, same_unit) is said
        budget = SecurityBudget.objects.get(pk=self.budget_id)  # as stored, not as edited
        others = budget.lines_budgeted(without=self.pk)
        if others + self.budgeted > budget.budgeted:
            raise ValidationError({"budgeted": _(
                "The lines would plan %(total)s yuan, more than the budget of %(budget)s "
                "yuan for %(year)s. Raise the budget first.") % {
                    "total": others + self.budgeted, "budget": budget.budgeted,
                    "year": budget.year}})
