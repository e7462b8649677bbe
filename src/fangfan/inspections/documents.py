"""Two documents of one hazard, generated as .docx in Chinese or English (issue 9 item 2):
the rectification notice (整改通知书) that hands the hazard to the unit with its measures,
responsible person and deadline, and the verification slip (隐患整改验收单) that records
what was done, the photos taken after, and the verification.

The slip exists once a rectification has been reported (before that there is nothing to
verify); its verification fields stay empty, to be filled in and signed on site, until
the hazard is closed in Fangfan."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from fangfan.core.models import Attachment, Unit
from fangfan.documents.word import BODY_FONT, HEADING_FONT, Writer, _font
from fangfan.inspections.models import Hazard, HazardStatus, HazardStep, Severity, StepKind

LABEL_WIDTH, VALUE_WIDTH = 4.0, 12.0  # cm: the 16 cm between A4's 2.5 cm margins


class NotVerifiable(Exception):
    """The hazard has no reported rectification yet: there is nothing to verify."""


def issuer(hazard: Hazard) -> Unit:
    """The unit that issues the notice: the authority that dispatched the hazard, else the
    unit itself (its own administrators hand it to the person responsible)."""
    return hazard.dispatched_by or hazard.unit


def number(hazard: Hazard) -> str:
    return _("No. %(year)s-%(number)s") % {"year": hazard.found_on.year,
                                            "number": f"{hazard.pk:04d}"}


def _day(value: dt.date | None) -> str:
    """Dates as letters write them: 2026年11月2日, 2 November 2026."""
    if not value:
        return "—"
    if (translation.get_language() or "").startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return date_format(value, "j F Y")


def _label(name: str) -> str:
    return capfirst(str(Hazard._meta.get_field(name).verbose_name))


def _user(user) -> str:
    return (user.get_full_name() or user.username) if user else "—"


def _person(hazard: Hazard) -> str:
    p = hazard.responsible
    if p is None:
        return "—"
    return _("%(name)s (%(about)s)") % {"name": p.name, "about": p.post} if p.post else p.name


def _form(w: Writer, rows: Sequence[tuple[str, str]], height: float = 0.9) -> None:
    """A bordered two-column table of labels and values (no header row)."""
    table = w.doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for label, value in rows:
        row = table.add_row()
        row.height = Cm(height)  # room to write in by hand, and air around typed text
        cells = row.cells
        cells[0].vertical_alignment = cells[1].vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        _font(_padded(cells[0].paragraphs[0]).add_run(label), HEADING_FONT, 11, bold=True)
        lines = (value or "—").splitlines() or ["—"]
        _font(_padded(cells[1].paragraphs[0]).add_run(lines[0]), BODY_FONT, 11)
        for line in lines[1:]:
            _font(_padded(cells[1].add_paragraph()).add_run(line), BODY_FONT, 11)
    for column, width in zip(table.columns, (LABEL_WIDTH, VALUE_WIDTH), strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, (LABEL_WIDTH, VALUE_WIDTH), strict=True):
            cell.width = Cm(width)
    gap = w.doc.add_paragraph()  # keeps what follows apart, by half a line
    gap.paragraph_format.line_spacing = Pt(6)


def _padded(para):
    para.paragraph_format.space_before = para.paragraph_format.space_after = Pt(3)
    return para


def _line(w: Writer, text: str, align=None, space_before: float = 0) -> None:
    para = w.doc.add_paragraph()
    if align is not None:
        para.alignment = align
    para.paragraph_format.space_before = Pt(space_before)
    _font(para.add_run(text), BODY_FONT, 12)


def _signatures(w: Writer, who: Sequence[str]) -> None:
    for label in who:
        _line(w, _("%(who)s (signature): ____________    Date: ____________")
              % {"who": label}, space_before=10)


def _hazard_rows(hazard: Hazard, full: bool = True) -> list[tuple[str, str]]:
    """The hazard as the notice states it; the slip (one page) repeats the essentials."""
    rows = [
        (_label("unit"), hazard.unit.name),
        (_("Problem found"), hazard.title),
        (_label("kind"), hazard.get_kind_display()),
        (_label("description"), hazard.description),
        (_label("location"), hazard.location.name if hazard.location else ""),
        (_label("found_on"), _day(hazard.found_on)),
        (_label("found_by"), hazard.found_by),
        (_label("source"), hazard.get_source_display()),
        (_label("severity"), hazard.get_severity_display()),
    ]
    if full:
        return rows
    return [row for i, row in enumerate(rows) if i in (0, 1, 4, 5, 8)]


def notice(hazard: Hazard, language: str = "zh-hans") -> bytes:
    """The rectification notice (整改通知书) as .docx bytes."""
    with translation.override(language):
        w = Writer()
        by = issuer(hazard)
        w.title(_("Hazard rectification notice"))
        _line(w, number(hazard), WD_ALIGN_PARAGRAPH.CENTER)
        _line(w, _("To %(unit)s:") % {"unit": hazard.unit.name}, space_before=12)
        if hazard.deadline:
            w.paragraph(_(
                "A hazard was found at your unit on %(date)s; it is described below. "
                "Rectify it with the measures set out here by %(deadline)s, then report "
                "what was done, with photos of the result, so that it can be verified and "
                "closed.") % {"date": _day(hazard.found_on), "deadline": _day(hazard.deadline)})
        else:
            w.paragraph(_(
                "A hazard was found at your unit on %(date)s; it is described below. Name "
                "the person responsible and the deadline, rectify it without delay, then "
                "report what was done, with photos of the result, so that it can be "
                "verified and closed.") % {"date": _day(hazard.found_on)})
        if hazard.severity == Severity.MAJOR:
            w.paragraph(_("This is a major hazard and has been reported to the supervising "
                          "authority. Until it is rectified, take interim measures at once "
                          "to keep students and staff safe."))
        _form(w, [
            (_("Issued by"), by.name),
            *_hazard_rows(hazard),
            (_label("measures"), hazard.measures),
            (_label("responsible"), _person(hazard)),
            (_label("deadline"), _day(hazard.deadline)),
        ])
        w.paragraph(_("A hazard still open at its deadline is reported to the unit's leaders "
                      "and, a few days later, to the supervising authority."))
        _line(w, by.name, WD_ALIGN_PARAGRAPH.RIGHT, space_before=18)
        _line(w, _day(timezone.localdate()), WD_ALIGN_PARAGRAPH.RIGHT)
        _signatures(w, [_("Received by")])
        return w.to_bytes()


def rectify_photos(hazard: Hazard) -> list[tuple[HazardStep, list[str]]]:
    """Each rectify step of the hazard with the names of the photos attached to it."""
    steps = [s for s in hazard.steps.all() if s.kind == StepKind.RECTIFY]
    names: dict[str, list[str]] = {}
    for att in Attachment.objects.filter(
            record_type=HazardStep._meta.label_lower,
            record_id__in=[str(s.pk) for s in steps]).order_by("pk"):
        names.setdefault(att.record_id, []).append(att.filename)
    return [(s, names.get(str(s.pk), [])) for s in steps]


def verification(hazard: Hazard, language: str = "zh-hans") -> bytes:
    """The verification slip (隐患整改验收单) as .docx bytes; NotVerifiable before any
    rectification was reported."""
    if not hazard.rectified_on:
        raise NotVerifiable
    with translation.override(language):
        w = Writer()
        w.title(_("Hazard rectification verification slip"))
        _line(w, number(hazard), WD_ALIGN_PARAGRAPH.CENTER)
        w.heading(_("1. The hazard"), 2)
        _form(w, [*_hazard_rows(hazard, full=False),
                  (_label("measures"), hazard.measures),
                  (_label("responsible"), _person(hazard)),
                  (_label("deadline"), _day(hazard.deadline))], height=0.75)
        w.heading(_("2. The rectification"), 2)
        rectified = rectify_photos(hazard)
        photos = [_("%(date)s: %(name)s") % {"date": _day(step.done_on), "name": name}
                  for step, names in rectified for name in names]
        returns = [_("%(date)s: %(reason)s") % {"date": _day(s.done_on), "reason": s.note}
                   for s in hazard.steps.all() if s.kind == StepKind.RETURN]
        rows = [(_label("rectification"), hazard.rectification),
                (_label("rectified_on"), _day(hazard.rectified_on)),
                (_label("rectified_by"), _user(hazard.rectified_by)),
                (_("Photos after rectification"),
                 "\n".join(photos) or _("No photo attached."))]
        if returns:
            rows.append((_("Returned for rework"), "\n".join(returns)))
        _form(w, rows, height=0.75)
        w.heading(_("3. Verification"), 2)
        closed = hazard.status == HazardStatus.CLOSED
        verify = next((s for s in reversed(hazard.steps.all())
                       if s.kind == StepKind.VERIFY), None) if closed else None
        if closed:
            on_time = hazard.deadline is None or hazard.closed_on <= hazard.deadline
            result = _("Rectified and verified; the hazard is closed.") if on_time else _(
                "Rectified and verified after the deadline; the hazard is closed.")
        else:
            w.paragraph(_("Not verified in Fangfan yet (the hazard is %(status)s): fill in "
                          "the verification below on site and sign it.")
                        % {"status": hazard.get_status_display().lower()})
        _form(w, [(_("Verification result"), result if closed else " "),
                  (_("Verification note"), (verify.note if verify else "") or " "),
                  (_("Verified on"), _day(hazard.closed_on) if closed else " "),
                  (_label("verified_by"), _user(hazard.verified_by) if closed else " ")],
              height=0.9 if closed else 1.3)  # room to write by hand
        _signatures(w, [_label("responsible"), _("Verifier")])
        return w.to_bytes()
