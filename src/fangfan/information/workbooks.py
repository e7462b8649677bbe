"""The roll-up of a reporting window as .xlsx: one row per unit asked (its answers, or
"not submitted"), then the subtree's totals; the answers of choice questions counted per
option on a second sheet."""
from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from fangfan.information import reporting
from fangfan.information.models import FieldKind, ReportingWindow
from fangfan.inspections.ledgers import Sheet, write


def _total(col: reporting.Column):
    if col.field.kind == FieldKind.NUMBER:
        return float(col.total) if col.total is not None else 0
    return _("%(n)s answered") % {"n": col.answered}


def roll_up(window: ReportingWindow, language: str) -> bytes:
    with translation.override(language):
        r = reporting.roll_up(window)
        answers = reporting.answers_by_unit(window)
        when = {s.unit_id: s for s in r.submitted}
        units = sorted([s.unit for s in r.submitted] + r.missing, key=lambda u: u.path)
        header = [_("No."), _("Unit"), _("Submitted at")] + [c.field.label for c in r.columns]
        rows = []
        for i, u in enumerate(units, start=1):
            s = when.get(u.pk)
            stamp = (s.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M") if s
                     else _("Not submitted"))
            rows.append([i, u.name, stamp] + [_cell(answers.get(u.pk, {}).get(c.field.pk, ""),
                                                    c.field.kind)
                                              for c in r.columns])
        rows.append(["", _("Total"), _("%(done)s of %(asked)s submitted") % {
            "done": len(r.submitted), "asked": r.asked}] + [_total(c) for c in r.columns])
        choices = [[c.field.label, option, n] for c in r.columns for option, n in c.counts]
        return write([
            Sheet(_("Submissions"), header, rows, [6, 24, 18] + [16] * len(r.columns)),
            Sheet(_("Choices counted"), [_("Question"), _("Option"), _("Units counted")], choices,
                  [30, 20, 8])])


def _cell(value: str, kind: str):
    if kind == FieldKind.NUMBER and value != "":
        return float(value)
    return value
