"""The base of every unit-scoped record type."""
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class RecordUrlMixin:
    """Detail URL from the registry, so generated tables and redirects can link."""

    def get_absolute_url(self) -> str:
        from fangfan.core.registry import for_model

        return reverse(for_model(type(self)).url_name("detail"), args=[self.pk])


class UnitRecord(RecordUrlMixin, models.Model):
    """A record owned by one unit. `unit_path` copies the unit's tree path so scoping
    and aggregates over a subtree are one index range, without joining the tree.
    The service layer (core.services) sets it; nothing else writes records."""

    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # (field, message): what a violated unique constraint says, and on which field, instead
    # of Django's generic text naming every field of the constraint.
    unique_error: tuple[str, str] | None = None
    # Related records that must belong to this record's own unit, with what a refusal
    # says, e.g. {"person": _("Only people of the body's own unit can be members.")}.
    same_unit: dict[str, str] = {}

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name, message in self.same_unit.items():
            if name in errors or name in (exclude or ()):
                continue
            related = getattr(self, name) if getattr(self, f"{name}_id") else None
            if related is not None and self.unit_id and related.unit_id != self.unit_id:
                errors[name] = [message]
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            if self.unique_error is None:
                raise
            field, message = self.unique_error
            raise ValidationError({field: message}) from exc
