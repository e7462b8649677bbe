"""Generated list tables (django-tables2): the declared columns, the first one a link."""
from __future__ import annotations

import django_tables2 as tables

from fangfan.core.registry import RecordType


def table_class(rt: RecordType) -> type[tables.Table]:
    cached = getattr(rt, "_table_class", None)
    if cached is None:
        first = rt.list_fields[0]
        attrs = {
            # The record itself, even when the first column is a related one (a member).
            first: tables.Column(linkify=lambda record: record.get_absolute_url()),
            "Meta": type("Meta", (), {
                "model": rt.model,
                "fields": rt.list_fields,
                "attrs": {"class": "table table-vcenter card-table table-striped"},
            }),
        }
        cached = type(f"{rt.model.__name__}Table", (tables.Table,), attrs)
        rt._table_class = cached
    return cached
