"""Generated forms: the record type's fields, with every choice of a related record
limited to what the user may see (no leaking of other units through a dropdown)."""
from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from fangfan.core import limits, permissions, privacy
from fangfan.core.models import Unit
from fangfan.core.prepared import PreparedShapes, first
from fangfan.core.registry import RecordType, for_model, is_registered
from fangfan.core.scoping import subtree_q

# A unit field offers a dropdown up to this many units and a code box beyond.
UNIT_CHOICE_LIMIT = 500


def unit_choices(user, action: str, rt: RecordType):
    """Units where the user may `action` records of `rt` (for a Unit: its parent)."""
    return Unit.objects.filter(unit_choice_q(user, action, rt))


def unit_choice_q(user, action: str, rt: RecordType) -> Q:
    """The condition of `unit_choices`."""
    roots = permissions.scope_roots(user, action, rt)
    if getattr(user, "is_superuser", False):
        return Q()
    return subtree_q("path", roots)


# A unit named by its code among the choices: compiled once per shape of the choices.
_UNIT_BY_CODE = PreparedShapes(lambda cond, start, stop: Unit.objects.filter(cond)[start:stop])


def unit_by_code(user, action: str, rt: RecordType, code: str) -> Unit | None:
    """The unit of `unit_choices` with this code, or None: what an API write names its
    unit by. Through SQL compiled once per shape of the choices (`core.prepared`):
    Django compiling the lookup anew was a fifth of an API write (docs/benchmarks.md)."""
    found = _UNIT_BY_CODE.rows(unit_choice_q(user, action, rt) & Q(code=code), 0, 2)
    return found[0] if len(found) == 1 else None


def related_choices(user, action: str, rt: RecordType, name: str, queryset):
    """The records foreign key `name` of `rt` may name: those the user may see, or for a
    key in `rt.pick_within` every record of the units where the user may `action` `rt`."""
    return queryset.filter(related_choice_q(user, action, rt, name, queryset.model))


def related_choice_q(user, action: str, rt: RecordType, name: str, model) -> Q:
    """The condition of `related_choices`."""
    rel_rt = for_model(model)
    if name not in rt.pick_within:
        return permissions.restrict(user, "view", rel_rt)
    if getattr(user, "is_superuser", False) and user.is_active:
        return Q()
    return subtree_q(rel_rt.path_field, permissions.scope_roots(user, action, rt))


def related_by_pk(user, action: str, rt: RecordType, name: str, model, pk: int):
    """The record of `related_choices` with this number, or None: what an API write's key
    names (a patrol scan's round and checkpoint). Through SQL compiled once per shape of
    the choices (`prepared.first`), as `unit_by_code` finds a unit."""
    return first(model, related_choice_q(user, action, rt, name, model) & Q(pk=pk))


def account_choices(user, action: str, rt: RecordType):
    """Accounts a field naming a user may offer: those holding a role where `user` may
    `action` records of `rt`, never the accounts of other units."""
    from fangfan.core.models import RoleGrant, User

    roots = permissions.scope_roots(user, action, rt)
    if getattr(user, "is_superuser", False):
        return User.objects.all()
    return User.objects.filter(pk__in=RoleGrant.objects.filter(
        subtree_q("unit_path", roots)).values("user_id"))


def style(form: forms.BaseForm) -> None:
    """Give widgets Tabler's classes (forms are generated, so no per-form templates)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue  # rendered as a list of checkboxes by the template
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 3)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked by
    core.evidence when it is attached."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": "image/*,application/pdf", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


MAX_FILES = 10


class RecordForm(forms.ModelForm):
    """Base of generated forms; `scope(user, action)` narrows related choices."""

    record_type: RecordType

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record_type.files_on_create and self.instance.pk is None:
            self.fields["files"] = MultipleFileField(
                label=self.record_type.files_on_create, required=False,
                help_text=_("Take photos or choose files (at most %(n)s).") % {
                    "n": MAX_FILES})
        style(self)
        self.refresh_on_change()

    def __iter__(self):
        """The fields to show: those that apply to the choices made so far
        (`RecordType.applies_when`), and any field with an error to correct."""
        for name in self.fields:
            if self.applies(name) or self[name].errors:
                yield self[name]

    def clean_files(self) -> list:
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(n)s files.") % {"n": MAX_FILES})
        return files

    def applies(self, name: str) -> bool:
        return self.record_type.applies(
            name, lambda choice: self[choice].value() if choice in self.fields else None)

    def refresh_on_change(self) -> None:
        """A choice that other fields depend on asks the page (HTMX) for the fields that
        fit its new value, keeping what was typed; RecordFormView answers `_refresh`."""
        for choice in {choice for choice, _values in self.record_type.applies_when.values()}:
            if choice in self.fields:
                self.fields[choice].widget.attrs.update({
                    "hx-post": "", "hx-trigger": "change", "hx-target": "closest .form-fields",
                    "hx-swap": "outerHTML", "hx-vals": '{"_refresh": "1"}'})

    def prefill(self, params) -> None:
        """Initial values from an "add" link (a record page's action or child list), which
        names related records by id: a unit typed by its code (province scale) shows the
        code, not the id."""
        for name, value in params.items():
            field = self.fields.get(name)
            if field is None:
                continue
            if getattr(field, "to_field_name", None) and value.isdigit():
                value = field.queryset.filter(pk=value).values_list(
                    field.to_field_name, flat=True).first() or ""
            self.initial[name] = value

    def keep_typed(self, data) -> RecordForm:
        """Take what was typed into an unbound form as initial values: the fields are
        shown again for the new choice, without error messages for unfinished input."""
        for name, field in self.fields.items():
            self.initial[name] = field.widget.value_from_datadict(data, {},
                                                                  self.add_prefix(name))
        return self

    def scope(self, user, action: str) -> RecordForm:
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            related = field.queryset.model
            if related is Unit:
                field.queryset = unit_choices(user, action, self.record_type)
                self.bound_unit_choices(name, field)
            elif related is get_user_model():
                field.queryset = account_choices(user, action, self.record_type)
            elif is_registered(related):  # catalogues such as standard packs are global
                field.queryset = related_choices(user, action, self.record_type, name,
                                                 field.queryset)
            if name in self.record_type.lookups:
                field.to_field_name = None
        self.lock_decided_above(user)
        self.guard_personal(user)
        if self.record_type.managed_fields and not permissions.allowed(
                user, "change", self.record_type):
            for name in self.record_type.managed_fields:
                self.fields.pop(name, None)
        return self

    # The personal fields this form shows in full (the edit page logs the read).
    personal_shown: tuple[str, ...] = ()

    def guard_personal(self, user) -> None:
        """A record's personal fields (core.privacy) in its edit form: in full for whoever
        may see them in full there; masked for anyone else, who may replace a value but not
        read it — the mask sent back unchanged keeps the stored value."""
        obj, kinds = self.instance, privacy.fields_of(self.record_type)
        if not kinds or obj is None or obj.pk is None:
            return
        present = [n for n in kinds if n in self.fields and getattr(obj, n) not in (None, "")]
        if privacy.sees_in_full(user, privacy.path_of(obj)):
            self.personal_shown = tuple(present)
            return
        for name in present:
            field, current = self.fields[name], getattr(obj, name)
            if isinstance(field, forms.FileField):  # not even the file's name
                field.widget = forms.FileInput(attrs=field.widget.attrs)
                continue
            self.initial[name] = privacy.mask(kinds[name], current)
            field.help_text = _("Shown masked. Leave it as it is to keep it, or type a new "
                                "value to replace it.")
            field.clean = privacy.keeping(field.clean, kinds[name], current)

    def lock_decided_above(self, user) -> None:
        """Fields only someone above the record's unit may change are shown, not offered,
        to the unit's own roles (the services refuse them too)."""
        rt, obj = self.record_type, self.instance
        if not rt.decided_above or obj is None or obj.pk is None:
            return
        if permissions.allowed_above(user, "change", rt, obj.unit_path):
            return
        for name in rt.decided_above:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Set by the supervising authority.")

    def bound_unit_choices(self, name: str, field: forms.ModelChoiceField) -> None:
        """Over UNIT_CHOICE_LIMIT units (a province), type the unit's code instead of
        scrolling a dropdown of thousands."""
        if field.queryset[UNIT_CHOICE_LIMIT:UNIT_CHOICE_LIMIT + 1].exists():
            field.to_field_name = "code"
            field.widget = forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"})
            field.help_text = _("The unit's code.")
            current = self.initial.get(name)
            if current is not None and not isinstance(current, str):
                pk = getattr(current, "pk", current)
                self.initial[name] = Unit.objects.get(pk=pk).code


def limited_formfield(model_field, **kwargs) -> forms.Field | None:
    """The model field's form field with the limits of its type (core.limits): the
    browser is told the length and range, and the server checks them."""
    field = model_field.formfield(**kwargs)
    if field is None:
        return None
    found = limits.validators_for(model_field,
                                  getattr(model_field.model, "number_limits", None))
    field.validators.extend(v for v in found if v not in field.validators)
    length = limits.text_max_length(model_field)
    if length and isinstance(field, forms.CharField) and not field.max_length:
        field.max_length = length
        field.widget.attrs["maxlength"] = str(length)
    return field


def form_class(rt: RecordType) -> type[RecordForm]:
    """The model form of a record type, built once per type."""
    cached = getattr(rt, "_form_class", None)
    if cached is None:
        cached = modelform_factory(rt.model, form=RecordForm, fields=rt.form_fields,
                                   formfield_callback=limited_formfield)
        cached.record_type = rt
        rt._form_class = cached
    return cached


def add_errors(form: forms.BaseForm, exc) -> None:
    """Put a service's ValidationError on the form: on its fields, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
