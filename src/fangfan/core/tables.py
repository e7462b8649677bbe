"""Generated list tables (django-tables2): the declared columns, the first one a link.
Each cell also says what it is on a phone's card (title, fact, status or hidden), so
app.css turns the same rows into cards below tablet width: same query, same pages."""
from __future__ import annotations

import copy

import django_tables2 as tables
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from django_tables2.columns.base import LinkTransform

from fangfan.core import privacy
from fangfan.core.fields import ChoiceListField
from fangfan.core.registry import RecordType


class ChoiceListColumn(tables.Column):
    """The labels of a ChoiceListField, not its stored keys."""

    def render(self, value, record, bound_column):
        return record._meta.get_field(bound_column.name).display(value)


# Values that read as one short token (dates, numbers, yes/no): never wrapped.
SHORT_FIELDS = (models.DateField, models.TimeField, models.BooleanField, models.IntegerField,
                models.DecimalField, models.FloatField)


class MaskedColumn(tables.Column):
    """A personal field (core.privacy): masked in every list and card, whoever reads it;
    the full value is revealed on the record's page only."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def render(self, value):
        return privacy.mask(self.kind, value)


def card_parts(rt: RecordType) -> dict[str, str]:
    """Each list field's part of the phone card: its title, two facts, the status badge;
    other columns are hidden there. Declared per type (card_fields, status_field), else the
    first three list fields and a field named "status"."""
    status = rt.status_field or ("status" if "status" in rt.list_fields else None)
    card = rt.card_fields or [f for f in rt.list_fields if f != status][:3]
    unknown = set(card) - set(rt.list_fields) | ({status} - set(rt.list_fields) - {None})
    if unknown:
        raise ValueError(f"{rt.slug}: card fields {sorted(unknown)} are not list fields")
    parts = dict.fromkeys(rt.list_fields, "hide")
    parts.update(dict.fromkeys(card[1:], "fact"))
    parts[card[0]] = "title"
    if status:
        parts[status] = "status"
    return parts


def _cell_attrs(rt: RecordType, name: str, part: str) -> dict[str, dict]:
    classes = [f"ff-card-{part}"]
    if isinstance(rt.model._meta.get_field(name), SHORT_FIELDS):
        classes.append("ff-short")
    # The field's label labels a fact on the card. Lazy, so it is read in the user's
    # language when the cell is drawn; not a callable, which django-tables2 would
    # inspect again for every cell of every row.
    label = capfirst(rt.model._meta.get_field(name).verbose_name)
    td = {"class": " ".join(classes), "data-label": label}
    return {"td": td, "th": {"class": "ff-short"} if "ff-short" in classes else {}}


def _record_url(record) -> str:
    return record.get_absolute_url()


class RecordTable(tables.Table):
    """A record list. Shown inside a parent record (a person's certificates), its linked
    columns may be the parent's key and left out: the first column shown then links to
    the record and is the card's title, so each row still opens its record."""

    linked: tuple[str, ...] = ()

    def __init__(self, *args, exclude=(), **kwargs):
        shown = [n for n in self._meta.fields if n not in (exclude or ())]
        extra = list(kwargs.pop("extra_columns", None) or [])
        if shown and not set(shown) & set(self.linked):
            column = copy.deepcopy(self.base_columns[shown[0]])
            column.link = LinkTransform(url=_record_url)
            column.attrs = {**column.attrs, "td": {**column.attrs["td"], "class": "ff-card-title"}}
            extra.append((shown[0], column))
        super().__init__(*args, exclude=exclude, extra_columns=extra or None, **kwargs)


def _linked_column(rt: RecordType, name: str) -> tables.Column:
    """A column linking to the record that still shows its value as the list does: a
    time in the reader's zone and format, not the stored value."""
    field = rt.model._meta.get_field(name)
    if name in privacy.fields_of(rt):
        return MaskedColumn(privacy.fields_of(rt)[name], linkify=_record_url)
    if isinstance(field, models.DateTimeField):
        return tables.DateTimeColumn(linkify=_record_url, short=True)
    if isinstance(field, models.DateField):
        return tables.DateColumn(linkify=_record_url, short=True)
    return tables.Column(linkify=_record_url)


def table_class(rt: RecordType) -> type[tables.Table]:
    cached = getattr(rt, "_table_class", None)
    if cached is None:
        first = rt.list_fields[0]
        parts = card_parts(rt)
        title = next(name for name, part in parts.items() if part == "title")
        lists = {name: ChoiceListColumn() for name in rt.list_fields
                 if isinstance(rt.model._meta.get_field(name), ChoiceListField)}
        # The record itself, even when the column is a related one (a member); the card's
        # title links to it too.
        links = {name: _linked_column(rt, name) for name in {first, title}}
        masked = {name: MaskedColumn(kind) for name, kind in privacy.fields_of(rt).items()
                  if name in rt.list_fields}
        attrs = {
            **lists,
            **masked,
            **links,
            "Meta": type("Meta", (), {
                "model": rt.model,
                "fields": rt.list_fields,
                "attrs": {"class": "table table-vcenter card-table table-striped ff-cards"},
                "empty_text": gettext_lazy("Nothing here yet."),
            }),
        }
        attrs["linked"] = tuple(links)
        cached = type(f"{rt.model.__name__}Table", (RecordTable,), attrs)
        for name, part in parts.items():
            column = cached.base_columns[name]
            column.attrs = {**(column.attrs or {}), **_cell_attrs(rt, name, part)}
        rt._table_class = cached
    return cached
