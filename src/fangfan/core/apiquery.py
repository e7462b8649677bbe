"""The API's query string, held to what its schema says.

The pages forgive a sloppy query (an empty choice means "any", a word the filter does
not know is ignored); an API client should learn at once that it asked for something
the API does not offer, not receive an unfiltered list it takes for an answer. So the
API answers 400, naming the parameter, for: a parameter given twice, an empty value
where a yes/no, choice, number or date is expected, a yes/no other than true/false, and
a page that is not a whole number (a page past the end stays DRF's 404).
"""
from __future__ import annotations

import re

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

YES_NO = ("true", "false")


def _given_once(params, names) -> dict[str, list]:
    return {name: [_("Give this parameter once.")] for name in names
            if len(params.getlist(name)) > 1}


def _whole(flt, model) -> bool:
    """A number filter on a whole-number field (the schema's integer)."""
    if not isinstance(flt, django_filters.NumberFilter):
        return False
    try:
        field = model._meta.get_field(flt.field_name)
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.IntegerField)


def _typed(flt) -> bool:
    """A filter whose value is not free text (an empty one cannot mean anything)."""
    return not isinstance(flt, django_filters.CharFilter)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing what the schema does not allow (see above)."""

    def filter_queryset(self, request, queryset, view):
        """A query naming no filter is answered unfiltered without building the filterset
        and its form (every filter leaves the list alone when its parameter is absent)."""
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        self.check(request.query_params, filterset_class.base_filters,
                   filterset_class._meta.model)
        if not any(name in request.query_params for name in filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        """The API's filterset offers no choices: the dropdowns are for the pages' form
        (a query for each related filter, and nothing the API's validation reads)."""
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            filterset.offers_choices = False
        return filterset

    @staticmethod
    def check(params, filters, model) -> None:
        errors = _given_once(params, filters)
        for name, flt in filters.items():
            if name in errors or name not in params:
                continue
            value = params.get(name)
            if value == "" and _typed(flt):
                errors[name] = [_("Give a value, or leave the parameter out.")]
            elif isinstance(flt, django_filters.BooleanFilter) and value not in YES_NO:
                errors[name] = [_("Give true or false.")]
            elif _whole(flt, model) and not re.fullmatch(r"-?[0-9]+", value):
                errors[name] = [_("Give a whole number.")]
        if errors:
            raise ValidationError(errors)


class CountWhenFull(Paginator):
    """Django's paginator without its COUNT(*) when the page itself tells the total.

    A page is read with one row more than it holds: a page that comes back short is the
    last one, so the total is its offset plus its rows, and the second pass over the
    scoped query that the count is (a fifth of a school's list request, measured in
    docs/benchmarks.md) is not made. A full page still counts, lazily, for the answer's
    `count`; an empty page past the end is left to Django (EmptyPage, DRF's 404)."""

    def page(self, number) -> Page:
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)
        if number < 1:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom:bottom + self.per_page + 1])
        if len(rows) > self.per_page:
            return self._get_page(rows[:self.per_page], number, self)
        if rows or number == 1:
            self.count = bottom + len(rows)  # a cached_property: set, it is not queried
            return self._get_page(rows, number, self)
        return super().page(number)


class StrictPagination(PageNumberPagination):
    """DRF's page numbers; a page that is not a whole number is a 400, not page 1."""

    django_paginator_class = CountWhenFull

    def paginate_queryset(self, queryset, request, view=None):
        name = self.page_query_param
        errors = _given_once(request.query_params, [name])
        value = request.query_params.get(name)
        if not errors and value is not None and not (value.isascii() and value.isdigit()):
            errors[name] = [_("Give the page as a whole number from 1.")]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)
