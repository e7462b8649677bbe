"""Generated filtersets, shared by the list pages and the API (one filter language)."""
from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fangfan.core.forms import style
from fangfan.core.models import Unit
from fangfan.core.registry import RecordType
from fangfan.core.scoping import subtree_q


class RecordFilterSet(django_filters.FilterSet):
    """`q` searches the declared text fields; `within` narrows to a unit's subtree."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    within = django_filters.CharFilter(label=_("Within unit (code)"), method="in_subtree")

    record_type: RecordType

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            style(form)
            form._styled = True
        return form

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        q = Q()
        for f in self.record_type.search_fields:
            q |= Q(**{f"{f}__icontains": value})
        return queryset.filter(q) if q else queryset

    def in_subtree(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        path = Unit.objects.filter(code=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(subtree_q(self.record_type.path_field, [path]))


ANY_YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
BOOLEAN_FILTER = {
    "filter_class": django_filters.BooleanFilter,
    "extra": lambda f: {"widget": forms.Select(choices=ANY_YES_NO)},
}


def filterset_class(rt: RecordType) -> type[RecordFilterSet]:
    cached = getattr(rt, "_filterset_class", None)
    if cached is None:
        meta = type("Meta", (), {"model": rt.model, "fields": rt.filter_fields,
                                 "filter_overrides": {models.BooleanField: BOOLEAN_FILTER}})
        cached = type(f"{rt.model.__name__}FilterSet", (RecordFilterSet,),
                      {"Meta": meta, "record_type": rt})
        rt._filterset_class = cached
    return cached
