"""Generated filtersets, shared by the list pages and the API (one filter language)."""
from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters.utils import label_for_filter

from fangfan.core import permissions
from fangfan.core.forms import style, unit_choices
from fangfan.core.models import PATH_WIDTH, Unit
from fangfan.core.registry import RecordType, for_model, is_registered
from fangfan.core.scoping import subtree_q

# A related-record filter offers a dropdown up to this many choices, a text box beyond.
CHOICE_LIMIT = 200


class RelatedFilter(django_filters.CharFilter):
    """A foreign-key filter taking the related record's id or (part of) its name.

    Unlike django-filter's ModelChoiceFilter it never loads every related row: the page
    form offers only the records the user may see, and only while they are few (a school's
    own locations), falling back to a name search for a district or the whole province."""

    def __init__(self, *args, lookup: str | None = "name", **kwargs):
        self.lookup = lookup  # None: a record with no name (a submission) is named by id
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        if value.isascii() and value.isdigit():
            return qs.filter(**{f"{self.field_name}_id": int(value)})
        if self.lookup is None:
            return qs.none()
        return qs.filter(**{f"{self.field_name}__{self.lookup}__icontains": value})


class RecordFilterSet(django_filters.FilterSet):
    """`q` searches the declared text fields; `within` narrows to a unit's subtree."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    within = django_filters.CharFilter(label=_("Within unit (code)"), method="in_subtree")

    record_type: RecordType
    offers_choices = True  # the pages' form; the API's filterset sets it False

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            if self.offers_choices:
                self.offer_related_choices(form)
            style(form)
            form._styled = True
        return form

    def offer_related_choices(self, form) -> None:
        """Turn related filters into dropdowns of what the user may see, while few."""
        user = getattr(self.request, "user", None)
        for name, flt in self.filters.items():
            if not isinstance(flt, RelatedFilter) or user is None:
                continue
            related = self.record_type.model._meta.get_field(name).related_model
            qs = related.objects.all()
            if related is Unit:
                qs = unit_choices(user, "view", self.record_type)
            elif is_registered(related):
                qs = qs.filter(permissions.restrict(user, "view", for_model(related)))
            options = list(qs[:CHOICE_LIMIT + 1])
            if len(options) <= CHOICE_LIMIT:
                form.fields[name].widget = forms.Select(
                    choices=[("", _("Any"))] + [(str(o.pk), str(o)) for o in options])

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        q = Q()
        for f in self.record_type.search_fields:
            q |= Q(**{f"{f}__icontains": value})
        return queryset.filter(q) if q else queryset

    def in_subtree(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        path = Unit.objects.filter(code=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        q = subtree_q(self.record_type.path_field, [path])
        if self.record_type.shared_down:  # what the unit sees: also what is published above
            w = PATH_WIDTH
            q |= Q(**{f"{self.record_type.path_field}__in": [
                path[:i * w] for i in range(1, len(path) // w)]})
        return queryset.filter(q)


ANY_YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
BOOLEAN_FILTER = {
    "filter_class": django_filters.BooleanFilter,
    "extra": lambda f: {"widget": forms.Select(choices=ANY_YES_NO)},
}


def yes_no_filter(label, condition) -> django_filters.BooleanFilter:
    """A yes/no filter for a condition beyond one field, often moving with the clock
    ("overdue"): for RecordType.extra_filters."""
    def method(queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(condition()) if value else queryset.exclude(condition())

    return django_filters.BooleanFilter(label=label, method=method,
                                        widget=forms.Select(choices=ANY_YES_NO))


def _lookup(rt: RecordType, name: str) -> str | None:
    """How a related record is named in a filter: the type's declared lookup, else its
    name field if it has one, else only by its id."""
    if name in rt.lookups:
        return rt.lookups[name]
    related = rt.model._meta.get_field(name).related_model
    return "name" if any(f.name == "name" for f in related._meta.get_fields()) else None


def filterset_class(rt: RecordType) -> type[RecordFilterSet]:
    cached = getattr(rt, "_filterset_class", None)
    if cached is None:
        fields = rt.model._meta
        related = {name: RelatedFilter(field_name=name, lookup=_lookup(rt, name),
                                       label=capfirst(fields.get_field(name).verbose_name))
                   for name in rt.filter_fields
                   if "__" not in name and fields.get_field(name).is_relation}
        plain = [name for name in rt.filter_fields if name not in related]
        meta = type("Meta", (), {"model": rt.model, "fields": plain,
                                 "filter_overrides": {models.BooleanField: BOOLEAN_FILTER}})
        cached = type(f"{rt.model.__name__}FilterSet", (RecordFilterSet,),
                      {"Meta": meta, "record_type": rt, **related, **rt.extra_filters})
        _label_lazily(cached)
        rt._filterset_class = cached
    return cached


_lazy_label = lazy(label_for_filter, str)


def _label_lazily(filterset: type[RecordFilterSet]) -> None:
    """Give every generated filter a lazy label when the class is built.

    django-filter works a missing label out on first use and keeps the string, and a
    filter's form field is built once and kept too. drf-spectacular reads the class's own
    filters (and their form fields) while rendering the schema, so without this the
    language of that one request stuck to every list page until a restart."""
    model = filterset._meta.model
    for flt in filterset.base_filters.values():
        if flt.label is None:
            flt.label = _lazy_label(model, flt.field_name, flt.lookup_expr, flt.exclude)
