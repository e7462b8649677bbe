"""Bulk import and export of any record type as .xlsx or .csv (SPEC RES-6).

Import validates every row first with the record type's own form, reports errors by
row and column, and writes nothing unless every row is valid; then all rows go through
the service layer in one transaction. (django-import-export was considered: it saves
through its own resource path, which would bypass the services, audit and scoping.)"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fangfan.core import permissions, services
from fangfan.core.fields import ChoiceListField
from fangfan.core.forms import form_class
from fangfan.core.models import Unit
from fangfan.core.registry import RecordType, for_model

TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "√", "✓"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "×", ""}


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ImportRefused(Exception):
    """The file was not imported; `errors` says where and why."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _field(rt: RecordType, name: str) -> models.Field:
    return rt.model._meta.get_field(name)


def headers(rt: RecordType) -> list[str]:
    """Column titles in the current language."""
    return [str(_field(rt, n).verbose_name) for n in rt.columns()]


def _header_map(rt: RecordType) -> dict[str, str]:
    """Every accepted spelling of a column title (name, zh-Hans, English) → field."""
    names: dict[str, str] = {}
    for n in rt.columns():
        names[n.lower()] = n
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                names[str(_field(rt, n).verbose_name).strip().lower()] = n
    return names


def _lookup_field(rt: RecordType, name: str) -> str:
    f = _field(rt, name)
    return "code" if f.related_model is Unit else rt.lookups.get(name, "pk")


def export_value(rt: RecordType, obj: models.Model, name: str) -> Any:
    f = _field(rt, name)
    if f.is_relation:
        related = getattr(obj, name)
        return "" if related is None else getattr(related, _lookup_field(rt, name))
    if f.choices:
        return getattr(obj, f"get_{name}_display")()
    if isinstance(f, ChoiceListField):
        return f.display(getattr(obj, name))
    value = getattr(obj, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else value


def export_rows(rt: RecordType, queryset: Iterable[models.Model]) -> Iterator[list[Any]]:
    names = rt.columns()
    yield headers(rt)
    for obj in queryset:
        yield [export_value(rt, obj, n) for n in names]


def to_xlsx(rows: Iterable[list[Any]], sheet: str) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    for r, row in enumerate(rows):
        ws.write_row(r, 0, [str(v) if not isinstance(v, (int, float)) else v for v in row],
                     bold if r == 0 else None)
    book.close()
    return buf.getvalue()


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV with a BOM so spreadsheet programs read the Chinese text as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    yield "\ufeff"
    for row in rows:
        writer.writerow(row)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def read_table(upload, filename: str) -> list[list[Any]]:
    """Rows of an uploaded .xlsx or .csv file (the first row holds the titles)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
        except Exception as exc:
            raise ImportRefused([RowError(0, "", _("The file is not a readable .xlsx "
                                                   "workbook."))]) from exc
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    if name.endswith(".csv"):
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        return [row for row in csv.reader(io.StringIO(text))]
    raise ImportRefused([RowError(0, "", _("Upload an .xlsx or .csv file."))])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _convert(rt: RecordType, name: str, text: str, unit: Unit | None) -> Any:
    """Turn a cell into what the form field expects (ids for relations, choice keys)."""
    f = _field(rt, name)
    if f.is_relation:
        if not text:
            return ""
        qs = f.related_model._default_manager.all()
        if f.related_model is not Unit and unit is not None and hasattr(f.related_model, "unit"):
            qs = qs.filter(unit=unit)
        pk = qs.filter(**{_lookup_field(rt, name): text}).values_list("pk", flat=True).first()
        if pk is None:
            raise ValidationError(_("No matching record “%(value)s”.") % {"value": text})
        return pk
    if isinstance(f, ChoiceListField):
        return [_choice_key(f.options, part.strip()) for part in re.split(r"[,，、;；]", text)
                if part.strip()]
    if f.choices:
        for key, label in f.flatchoices:
            if text in (str(key), str(label)) or _translated(label, text):
                return key
        return text
    if isinstance(f, models.BooleanField):
        low = text.lower()
        if not low and f.null:
            return ""
        if low in TRUE_WORDS or _translated(_("yes"), low):
            return "true"
        if low in FALSE_WORDS or _translated(_("no"), low):
            return "false"
        raise ValidationError(_("Write yes or no."))
    return text


def _choice_key(options: list, text: str) -> str:
    for key, label in options:
        if text in (str(key), str(label)) or _translated(label, text):
            return key
    return text


def _default(rt: RecordType, name: str) -> Any:
    """A column left out of the file takes the field's default, as on the form."""
    f = _field(rt, name)
    if not f.has_default():
        return ""
    value = f.get_default()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _translated(label: Any, text: str) -> bool:
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            if str(label).lower() == text.lower():
                return True
    return False


def import_rows(user, rt: RecordType, rows: list[list[Any]]) -> int:
    """Validate all rows, then create them all or nothing. Returns the count created."""
    if not rows:
        raise ImportRefused([RowError(0, "", _("The file is empty."))])
    cols = _columns(rt, rows[0])
    forms, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = {name: _cell(row[i] if i < len(row) else None) for i, name in cols.items()}
        if not any(cells.values()):
            continue
        form = _row_form(user, rt, cells, number, errors)
        if form is not None:
            forms.append((number, form))
    if errors:
        raise ImportRefused(errors)
    if not forms:
        raise ImportRefused([RowError(0, "", _("The file has no data rows."))])
    return _save_all(user, rt, forms)


def _columns(rt: RecordType, header: list[Any]) -> dict[int, str]:
    known = _header_map(rt)
    cols, errors = {}, []
    for i, title in enumerate(header):
        key = _cell(title).lower()
        if not key:
            continue
        if key not in known:
            errors.append(RowError(1, _cell(title), _("Unknown column.")))
        else:
            cols[i] = known[key]
    if errors:
        raise ImportRefused(errors)
    return cols


def _row_form(user, rt: RecordType, cells: dict[str, str], number: int,
              errors: list[RowError]):
    titles = dict(zip(rt.columns(), headers(rt), strict=True))
    unit = None
    if "unit" in cells:
        unit = Unit.objects.filter(code=cells["unit"]).first()
    data: dict[str, Any] = {}
    failed = False
    for name, text in cells.items():
        field = _field(rt, name)
        if text == "" and field.has_default() and not isinstance(field, models.BooleanField):
            data[name] = _default(rt, name)  # an empty cell means what the form would
            continue
        try:
            data[name] = _convert(rt, name, text, unit)
        except ValidationError as exc:
            errors.extend(RowError(number, titles[name], m) for m in exc.messages)
            failed = True
    for name in rt.columns():
        if name not in cells:
            data[name] = _default(rt, name)
    form = form_class(rt)(data=data).scope(user, "add")
    if not form.is_valid():
        for name, msgs in form.errors.items():
            column = titles.get(name, "—")
            errors.extend(RowError(number, column, m) for m in msgs)
        return None
    return None if failed else form


def _save_all(user, rt: RecordType, forms: list) -> int:
    if not permissions.allowed(user, "import", rt):
        raise ImportRefused([RowError(0, "", _("You may not import these records."))])
    try:
        with transaction.atomic():
            for number, form in forms:
                current = number
                unit = form.cleaned_data.get("unit")
                if unit is not None and not permissions.allowed(user, "import", rt, unit.path):
                    raise services.OutOfScope(_("You may not import records of this unit."))
                services.create_record(user, rt.model, form.cleaned_data)
    except ValidationError as exc:
        raise ImportRefused([RowError(current, "—", m) for m in exc.messages]) from exc
    except services.OutOfScope as exc:
        raise ImportRefused([RowError(current, "—", str(exc))]) from exc
    return len(forms)


__all__ = ["ImportRefused", "RowError", "export_rows", "for_model", "import_rows"]
