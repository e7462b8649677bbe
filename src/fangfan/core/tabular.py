"""Bulk import and export of any record type as .xlsx or .csv (SPEC RES-6).

Import validates every row first with the record type's own form, reports errors by
row and column, and writes nothing unless every row is valid; then all rows go through
the service layer in one transaction. (django-import-export was considered: it saves
through its own resource path, which would bypass the services, audit and scoping.)"""
from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import functools
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
import xlsxwriter
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_range_abs

from fangfan.core import evidence, permissions, privacy, services
from fangfan.core.fields import ChoiceListField
from fangfan.core.forms import form_class, unit_choices
from fangfan.core.models import Unit
from fangfan.core.registry import RecordType, for_model

logger = logging.getLogger(__name__)

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
    if isinstance(value, dt.datetime):  # local time, as typed and as imported again
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def export_rows(rt: RecordType, queryset: Iterable[models.Model],
                reveal: privacy.ExportReveal | None = None) -> Iterator[list[Any]]:
    """The header and a row per record; personal fields masked (core.privacy) but in the
    rows `reveal` (asked for, permitted, logged) shows in full."""
    names = rt.columns()
    kinds = privacy.fields_of(rt)
    yield headers(rt)
    for obj in queryset:
        full = reveal is not None and reveal(obj)
        yield [privacy.mask(kinds[n], export_value(rt, obj, n)) if n in kinds and not full
               else export_value(rt, obj, n) for n in names]
    if reveal is not None:
        reveal.done()


# Text that a spreadsheet program would run as a formula (OWASP "CSV injection"): it
# starts with one of these, possibly after quotes that an earlier export added.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
# Text written as text: never a formula, a link or a number guessed from a string.
_TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False,
              "strings_to_numbers": False}


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula, with a quote in front. A text
    that already starts with quotes before such a character gets one more, so that
    `restore` undoes exactly what was added and an export imports to the same value."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text as it was before `neutralise` (an imported cell)."""
    return text[1:] if text.startswith("'") and _FORMULA.match(text[1:]) else text


def to_xlsx(rows: Iterable[list[Any]], sheet: str) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True,
                                     **_TEXT_ONLY})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    for r, row in enumerate(rows):
        ws.write_row(r, 0, [v if isinstance(v, (int, float)) else str(neutralise(v))
                            for v in row], bold if r == 0 else None)
    book.close()
    return buf.getvalue()


# Rows of the template that carry the drop-downs (a validation costs nothing per row).
TEMPLATE_ROWS = 10_000


def template_xlsx(user, rt: RecordType, unit_code: str | None = None) -> bytes:
    """The import template. The first sheet, the one imported, holds the column titles
    with a drop-down of the allowed values under each choice and yes/no column (labels in
    the user's language; imports also take the other language and the codes). A second
    sheet, "Help", shows an example row and what each column takes: kept off the first
    sheet, the example can never be imported by mistake."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, **_TEXT_ONLY})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_sheet_name(rt.verbose_name_plural))
    help_sheet = book.add_worksheet(_sheet_name(_("Help")))
    lists = book.add_worksheet(_sheet_name(_("Allowed values")))
    titles = headers(rt)
    sheet.write_row(0, 0, titles, bold)
    sheet.freeze_panes(1, 0)
    for col, name in enumerate(rt.columns()):
        sheet.set_column(col, col, max(12, 2 * len(titles[col])))
        rule = _drop_down(rt, name, lists, col)
        if rule:
            sheet.data_validation(1, col, TEMPLATE_ROWS, col, rule)
    lists.hide()
    _write_help(help_sheet, rt, titles, example_row(user, rt, unit_code), bold)
    sheet.activate()
    book.close()
    return buf.getvalue()


def _sheet_name(text: Any) -> str:
    return re.sub(r"[\\/?*\[\]:']", " ", str(text))[:31]


def allowed_values(rt: RecordType, name: str) -> list[str] | None:
    """The labels a choice or yes/no column takes, in the current language."""
    f = _field(rt, name)
    if isinstance(f, ChoiceListField):
        return [str(label) for _key, label in f.options]
    if f.choices:
        return [str(label) for _key, label in f.flatchoices]
    if isinstance(f, models.BooleanField):
        return [_("yes"), _("no")]
    return None


def _drop_down(rt: RecordType, name: str, lists, col: int) -> dict[str, Any] | None:
    """The data validation of a column: a list of its labels, kept on the hidden sheet
    (Excel limits a list written inline to 255 characters). A column of several choices
    per cell gets none, since a drop-down would refuse "a、b"."""
    labels = allowed_values(rt, name)
    if not labels or isinstance(_field(rt, name), ChoiceListField):
        return None
    lists.write_column(0, col, labels)
    cells = xl_range_abs(0, col, len(labels) - 1, col)
    return {"validate": "list", "source": f"='{lists.name}'!{cells}", "ignore_blank": True,
            "error_type": "stop", "error_title": str(_field(rt, name).verbose_name)[:32],
            "error_message": _("Choose one of the values in the list.")}


def _write_help(ws, rt: RecordType, titles: list[str], example: list[Any] | None,
                bold) -> None:
    ws.write_row(0, 0, titles, bold)
    if example is not None:
        ws.write_row(1, 0, [v if isinstance(v, (int, float)) else str(v) for v in example])
    ws.write(3, 0, _("Row 2 is an example. Fill in the first sheet: only it is imported."))
    ws.write_row(5, 0, [_("Column"), _("Must be filled"), _("What to write")], bold)
    required = form_class(rt)().fields
    for i, (name, title) in enumerate(zip(rt.columns(), titles, strict=True), start=6):
        must = name in required and required[name].required
        ws.write_row(i, 0, [title, _("yes") if must else _("no"),
                            _column_hint(rt, name)])
    ws.set_column(0, 0, 24)
    ws.set_column(2, 2, 80)


def _column_hint(rt: RecordType, name: str) -> str:
    f = _field(rt, name)
    labels = allowed_values(rt, name)
    if isinstance(f, ChoiceListField):
        return _("Any of: %(choices)s, separated by 、") % {"choices": _(", ").join(labels)}
    if labels:
        return _("One of: %(choices)s") % {"choices": _(", ").join(labels)}
    if f.is_relation and f.related_model is Unit:
        return _("The unit's code or its full name.")
    if f.is_relation:
        return _relation_hint(f.related_model, _lookup_field(rt, name))
    if isinstance(f, models.DateTimeField):
        return _("A date and time, e.g. 2026-09-01 08:30.")
    if isinstance(f, models.DateField):
        return _("A date, e.g. 2026-09-01.")
    return str(f.help_text or "")


def _relation_hint(model: type[models.Model], key: str) -> str:
    if key == "pk":
        return _("An existing record, by its number.")
    try:
        label = model._meta.get_field(key).verbose_name
    except FieldDoesNotExist:  # a natural key that is not a field of its own
        return ""
    return _("The %(key)s of an existing record.") % {"key": label}


EXAMPLE_UNITS_TRIED = 4


def example_row(user, rt: RecordType, unit_code: str | None = None) -> list[Any] | None:
    """The record type's `example` as a template row, in the current unit (`unit_code`)
    or else the first of the user's units where it can be made (a unit's answer to its
    authority's reporting window cannot be made at the top). An example may make the
    records it refers to (the camera of a fault) to show their names: it runs in a
    transaction that is rolled back, so the template changes nothing."""
    choices = unit_choices(user, "add", rt).order_by("path")
    current = unit_code and choices.filter(code=unit_code).first()
    for unit in [current] if current else choices[:EXAMPLE_UNITS_TRIED]:
        try:
            with transaction.atomic():
                obj = rt.model(**rt.example(unit))
                row = [export_value(rt, obj, n) for n in rt.columns()]
                transaction.set_rollback(True)
            return row
        except Exception:  # the template is still of use without its example
            logger.warning("no example row for %s in %s", rt.slug, unit, exc_info=True)
    return None


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV with a BOM so spreadsheet programs read the Chinese text as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    yield "\ufeff"
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def import_limits() -> dict[str, int]:
    """How much one import may hold (settings IMPORT_MAX_ROWS, IMPORT_MAX_BYTES): every
    row is validated, and kept, before anything is written, so a file is bounded."""
    return {"rows": settings.IMPORT_MAX_ROWS,
            "size": max(1, settings.IMPORT_MAX_BYTES // (1024 * 1024))}


def _refuse(message: str) -> ImportRefused:
    return ImportRefused([RowError(0, "", message)])


def read_table(upload, filename: str) -> Iterator[list[Any]]:
    """Rows of an uploaded .xlsx or .csv file (the first row holds the titles), streamed:
    a file over the size limit is refused before it is read; a first pass, which holds
    no rows, stops at the first row over the row limit or the first unreadable part."""
    name = filename.lower()
    if not name.endswith((".xlsx", ".csv")):
        raise _refuse(_("Upload an .xlsx or .csv file."))
    xlsx = name.endswith(".xlsx")
    limit = settings.IMPORT_MAX_BYTES
    # A workbook that unpacks to more than ten times the limit is a zip bomb.
    if upload.size > limit or (xlsx and _unpacked_size(upload) > 10 * limit):
        raise _refuse(_("The file is larger than %(size)s MB. Import at most %(size)s MB "
                        "at a time: split the file.") % import_limits())
    if xlsx:
        read = _xlsx_rows
    else:  # the encoding is found once, by one pass over the file, for both passes
        read = functools.partial(_csv_rows, encoding=_text_encoding(upload))
    for _row in _at_most(read(upload), settings.IMPORT_MAX_ROWS):
        pass  # a first pass refuses a broken or too long file before any row is checked
    return read(upload)


def _at_most(rows: Iterator[list[Any]], limit: int) -> Iterator[list[Any]]:
    """The title row and at most `limit` rows that hold something."""
    filled = -1  # the title row does not count
    for row in rows:
        if any(_cell(v) for v in row):
            filled += 1
            if filled > limit:
                raise _refuse(_("The file has more than %(rows)s rows. Import at most "
                                "%(rows)s rows at a time: split the file.") % import_limits())
        yield row


def _unreadable_xlsx() -> ImportRefused:
    return _refuse(_("The file is not a readable .xlsx workbook. Save it again from the "
                     "spreadsheet program as an Excel workbook (.xlsx)."))


def _unpacked_size(upload) -> int:
    """What a workbook's parts unpack to, from its zip directory (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable_xlsx() from exc


def _xlsx_rows(upload) -> Iterator[list[Any]]:
    """The first sheet's rows, streamed (openpyxl read-only)."""
    upload.seek(0)
    try:
        book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _unreadable_xlsx() from exc
    try:
        if not book.worksheets:
            raise _refuse(_("The workbook has no sheet to import."))
        yield from (list(r) for r in book.worksheets[0].iter_rows(values_only=True))
    except ImportRefused:
        raise
    except Exception as exc:  # a sheet damaged past its first rows
        raise _unreadable_xlsx() from exc
    finally:
        book.close()


_NUL = re.compile("\x00")


def _unreadable_csv() -> ImportRefused:
    return _refuse(_("The file is not a CSV text file. Save it from the spreadsheet "
                     "program as “CSV UTF-8 (comma delimited)” (.csv)."))


def _text_encoding(upload) -> str:
    """UTF-8 (with or without BOM), else GB18030; a file that is neither, or holds a NUL
    byte (binary data), is not a CSV file."""
    encoding = evidence.text_encoding(upload, _NUL)
    if encoding is None:
        raise _unreadable_csv()
    return encoding


def _csv_rows(upload, encoding: str) -> Iterator[list[Any]]:
    """Rows read through a text wrapper, a few kilobytes at a time; the csv reader joins
    the lines of a quoted cell."""
    upload.seek(0)
    text = io.TextIOWrapper(upload.file, encoding=encoding, newline="")
    try:
        yield from csv.reader(text)
    except (csv.Error, UnicodeDecodeError) as exc:  # e.g. a cell over the csv field limit
        raise _unreadable_csv() from exc
    finally:
        with contextlib.suppress(ValueError):  # already closed with the request
            text.detach()  # else closing the wrapper would close the upload


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore(str(value).strip())


class _NoUnit(Exception):
    """The row's unit was not found (already reported): records of the unit are not
    looked up, so that one wrong cell gives one error."""


@dataclass
class _Import:
    """What the rows of one import share: who imports, the column titles, and a form
    scoped to the user whose related-record choices say what a cell may name."""

    user: Any
    rt: RecordType
    titles: dict[str, str]
    probe: Any
    units: dict[str, list[Unit]]

    @classmethod
    def of(cls, user, rt: RecordType) -> _Import:
        return cls(user, rt, dict(zip(rt.columns(), headers(rt), strict=True)),
                   form_class(rt)().scope(user, "add"), {})

    def form(self, data: dict[str, Any]):
        """A row's form with the probe's scoped fields, copied: scoping each row's form
        again would ask the database the same question (how many units) once per row."""
        form = form_class(self.rt)(data=data)
        form.fields = copy.deepcopy(self.probe.fields)
        return form


def _convert(ctx: _Import, name: str, text: str, unit: Unit | None) -> Any:
    """Turn a cell into what the form field expects (ids for relations, choice keys)."""
    f = _field(ctx.rt, name)
    if f.is_relation:
        if not text:
            return ""
        if f.related_model is Unit:
            return _unit_value(ctx, name, _find_unit(ctx, name, text))
        return _related_pk(ctx, name, text, unit)
    if isinstance(f, ChoiceListField):
        return [_choice_key(f.options, part.strip()) for part in re.split(r"[,，、;；]", text)
                if part.strip()]
    if f.choices:
        return _choice_key(f.flatchoices, text) if text else ""
    if isinstance(f, models.BooleanField):
        low = text.lower()
        if not low and f.null:
            return ""
        if low in TRUE_WORDS or _translated(_("yes"), low):
            return "true"
        if low in FALSE_WORDS or _translated(_("no"), low):
            return "false"
        raise _not_one_of(text, [_("yes"), _("no")])
    return text


def _find_unit(ctx: _Import, name: str, text: str) -> Unit:
    """The unit named by its code or its full name, among the units the user may add
    records to (a unit outside them is "not found", as if it did not exist)."""
    if text not in ctx.units:
        choices = ctx.probe.fields[name].queryset
        ctx.units[text] = list(choices.filter(Q(code=text) | Q(name=text))[:5])
    found = ctx.units[text]
    by_code = [u for u in found if u.code == text]
    if by_code or len(found) == 1:
        return (by_code or found)[0]
    if not found:
        raise ValidationError(_("None of your units has the code or name “%(value)s”.")
                              % {"value": text})
    raise ValidationError(_("Several of your units are called “%(value)s”; write the "
                            "unit's code instead.") % {"value": text})


def _unit_value(ctx: _Import, name: str, unit: Unit) -> Any:
    """The unit as the form field takes it (its id, or its code at province scale)."""
    return getattr(unit, ctx.probe.fields[name].to_field_name or "pk")


def _related_pk(ctx: _Import, name: str, text: str, unit: Unit | None) -> Any:
    """A related record named by its natural key, among those the user may see, within
    the row's unit for records that belong to a unit."""
    qs = ctx.probe.fields[name].queryset
    if hasattr(qs.model, "unit_path"):
        if unit is _NoUnit:
            raise _NoUnit
        if unit is not None:
            qs = qs.filter(unit=unit)
    try:
        pk = qs.filter(**{_lookup_field(ctx.rt, name): text}).values_list("pk",
                                                                          flat=True).first()
    except (ValueError, TypeError, ValidationError):  # not a number where numbers name
        pk = None
    if pk is None:
        raise ValidationError(_("No matching record “%(value)s”.") % {"value": text})
    return pk


def _not_one_of(text: str, labels: Iterable[Any]) -> ValidationError:
    return ValidationError(_("“%(value)s” is not one of: %(choices)s.") % {
        "value": text, "choices": _(", ").join(str(label) for label in labels)})


def _choice_key(options: list, text: str) -> str:
    """The key of a choice written as its key or its label in either language."""
    for key, label in options:
        if text in (str(key), str(label)) or _translated(label, text):
            return key
    raise _not_one_of(text, [label for _key, label in options])


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


def import_rows(user, rt: RecordType, rows: Iterable[list[Any]]) -> int:
    """Validate all rows, then create them all or nothing. Returns the count created."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise ImportRefused([RowError(0, "", _("The file is empty."))])
    cols = _columns(rt, header)
    ctx = _Import.of(user, rt)
    valid, errors = [], []
    for number, row in enumerate(rows, start=2):
        cells = {name: _cell(row[i] if i < len(row) else None) for i, name in cols.items()}
        if not any(cells.values()):
            continue
        form = _row_form(ctx, cells, number, errors)
        if form is not None:
            valid.append((number, form.cleaned_data))  # not the form: 5,000 of them
    if errors:
        raise ImportRefused(errors)
    if not valid:
        raise ImportRefused([RowError(0, "", _("The file has no data rows."))])
    return _save_all(user, rt, valid)


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


def _row_form(ctx: _Import, cells: dict[str, str], number: int, errors: list[RowError]):
    """The row's validated form, or None with its problems added to `errors`. A cell
    that cannot be read (an unknown choice, a unit not found) or fails its own field is
    reported alone: the checks between fields count only on a row whose cells are all
    readable and pass their fields, so one mistake gives one error, not a cascade. A
    valid row's fields are checked once, by the form."""
    rt = ctx.rt
    data: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    unit: Any = None
    for name in sorted(cells, key=lambda n: n != "unit"):  # the unit first: lookups need it
        text, field = cells[name], _field(rt, name)
        if text == "" and field.has_default() and not isinstance(field, models.BooleanField):
            data[name] = _default(rt, name)  # an empty cell means what the form would
            continue
        try:
            data[name] = _convert(ctx, name, text, unit)
        except _NoUnit:
            problems.setdefault(name, [])
        except ValidationError as exc:
            problems[name] = exc.messages
            unit = _NoUnit if name == "unit" else unit
        else:
            if name == "unit" and data[name] != "":
                unit = _find_unit(ctx, name, text)
    for name in rt.columns():
        if name not in cells:
            data[name] = _default(rt, name)
    form = ctx.form(data)
    if not problems and not form.is_valid():  # a cell that failed its own field alone
        problems = _field_problems(form) or form.errors
    for name, msgs in problems.items():
        errors.extend(RowError(number, ctx.titles.get(name, "—"), m) for m in msgs)
    return None if problems else form


def _field_problems(form) -> dict[str, list[str]]:
    """Each field's own check of its cell, without the checks between fields."""
    problems = {}
    for name, field in form.fields.items():
        try:
            field.clean(form[name].data)
        except ValidationError as exc:
            problems[name] = exc.messages
    return problems


def _save_all(user, rt: RecordType, valid: list[tuple[int, dict[str, Any]]]) -> int:
    if not permissions.allowed(user, "import", rt):
        raise ImportRefused([RowError(0, "", _("You may not import these records."))])
    try:
        with transaction.atomic():
            for number, data in valid:
                current = number
                unit = data.get("unit")
                if unit is not None and not permissions.allowed(user, "import", rt, unit.path):
                    raise services.OutOfScope(_("You may not import records of this unit."))
                services.create_record(user, rt.model, data)
    except ValidationError as exc:
        raise ImportRefused([RowError(current, "—", m) for m in exc.messages]) from exc
    except services.OutOfScope as exc:
        raise ImportRefused([RowError(current, "—", str(exc))]) from exc
    return len(valid)


__all__ = ["ImportRefused", "RowError", "export_rows", "for_model", "import_rows"]
