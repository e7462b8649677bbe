"""Generated list tables (django-tables2): the declared columns, the first one a link."""
from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy

from fangfan.core.fields import ChoiceListField
from fangfan.core.registry import RecordType


class ChoiceListColumn(tables.Column):
    """The labels of a ChoiceListField, not its stored keys."""

    def render(self, value, record, bound_column):
        return record._meta.get_field(bound_column.name).display(value)


def table_class(rt: RecordType) -> type[tables.Table]:
    cached = getattr(rt, "_table_class", None)
    if cached is None:
        first = rt.list_fields[0]
        lists = {name: ChoiceListColumn() for name in rt.list_fields
                 if isinstance(rt.model._meta.get_field(name), ChoiceListField)}
        attrs = {
            **lists,
            # The record itself, even when the first column is a related one (a member).
            first: tables.Column(linkify=lambda record: record.get_absolute_url()),
            "Meta": type("Meta", (), {
                "model": rt.model,
                "fields": rt.list_fields,
                "attrs": {"class": "table table-vcenter card-table table-striped"},
                "empty_text": gettext_lazy("Nothing here yet."),
            }),
        }
        cached = type(f"{rt.model.__name__}Table", (tables.Table,), attrs)
        rt._table_class = cached
    return cached
