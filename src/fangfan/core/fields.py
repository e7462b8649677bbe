"""Model fields the record machinery understands beyond Django's own."""
from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext as _


class ChoiceListField(models.JSONField):
    """Several keys of one set of choices, stored as a JSON list (portable between SQLite
    and PostgreSQL, unlike ArrayField); forms show checkboxes, tables and exports the
    labels, imports take keys or labels separated by commas or 、."""

    def __init__(self, *args, options=None, **kwargs):
        self.options = list(options or [])
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["options"] = self.options
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.options, required=not self.blank, label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))

    def validate(self, value, model_instance) -> None:
        super().validate(value, model_instance)
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(v, str) for v in value)):
            # A number, a boolean or a list of lists is not a choice (and a list is not
            # hashable, so looking it up among the keys would raise).
            raise forms.ValidationError(_("Choose from the list."), code="invalid_list")
        keys = {k for k, _ in self.options}
        unknown = [v for v in value or [] if v not in keys]
        if unknown:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice",
                params={"value": ", ".join(map(str, unknown))})

    def labels(self, value) -> list[str]:
        names = dict(self.options)
        return [str(names.get(v, v)) for v in value or []]

    def display(self, value) -> str:
        """The labels as one text, in the reader's language (pages, tables, exports)."""
        return _(", ").join(self.labels(value))
