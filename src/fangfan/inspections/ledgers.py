"""The hazard ledgers of a unit and its subtree as .xlsx (SPEC INS-4, issue 9 item 6):
the hazard register (隐患台账), and the "four lists and one table" (四单一表) of seed 004
— the standards list (标准清单), responsibility list (责任清单), methods list (方法清单),
procedures list (流程清单) and the hazard detail table (隐患明细表). What each holds is
written down in docs/inspections.md, "Ledgers".

Everything is read in a fixed number of queries whatever the number of hazards, and only
what the user may view: hazards, hazard steps and compliance results each by their own
record type's scope, within the chosen unit's subtree."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.models import Attachment, Unit
from fangfan.core.scoping import subtree_q
from fangfan.core.tabular import _TEXT_ONLY, neutralise
from fangfan.inspections.models import Hazard, HazardStatus, HazardStep, StepKind
from fangfan.standards.models import Result, Status, localized


def hazards(user, unit: Unit) -> QuerySet[Hazard]:
    """The hazards of the unit's subtree the user may view, with everything a row shows."""
    return (Hazard.objects
            .filter(permissions.restrict(user, "view", registry.get("hazards")),
                    subtree_q("unit_path", [unit.path]))
            .select_related("unit", "location", "responsible", "dispatched_by",
                            "rectified_by", "verified_by", "requirement")
            .order_by("unit_path", "found_on", "pk"))


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _user(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def on_time(h: Hazard) -> bool | None:
    """Closed by its deadline? None while open."""
    if h.status != HazardStatus.CLOSED or not h.closed_on:
        return None
    return h.deadline is None or h.closed_on <= h.deadline


def closed_on_time(h: Hazard) -> str:
    """yes / no once closed; empty while open."""
    done = on_time(h)
    return "" if done is None else _yes(done)


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[list[Any]]
    widths: Sequence[int]


def register_sheet(items: list[Hazard], name: str | None = None) -> Sheet:
    """The hazard register: one row per hazard or task, from found to closed."""
    h = Hazard
    header = [_("No."), _label(h, "unit"), _label(h, "kind"), _("Problem found"),
              _label(h, "location"), _label(h, "severity"), _label(h, "source"),
              _label(h, "found_on"), _label(h, "found_by"), _label(h, "dispatched_by"),
              _label(h, "responsible"), _label(h, "measures"), _label(h, "deadline"),
              _label(h, "status"), _label(h, "rectified_on"), _label(h, "closed_on"),
              _("Closed on time"), _("Past the deadline"), _("Escalated")]
    rows = [[i, x.unit.name, x.get_kind_display(), x.title,
             x.location.name if x.location else "", x.get_severity_display(),
             x.get_source_display(), _day(x.found_on), x.found_by,
             x.dispatched_by.name if x.dispatched_by else "",
             x.responsible.name if x.responsible else "", x.measures, _day(x.deadline),
             x.get_status_display(), _day(x.rectified_on), _day(x.closed_on),
             closed_on_time(x), _yes(x.is_open and x.overdue), _yes(bool(x.escalated_on))]
            for i, x in enumerate(items, start=1)]
    return Sheet(name or _("Hazard register"), header, rows,
                 [6, 20, 8, 30, 14, 8, 14, 12, 12, 16, 12, 30, 12, 12, 12, 12, 10, 10, 8])


def standards_sheet(user, unit: Unit) -> Sheet:
    """What each unit must meet: the active packs' requirements and where it stands."""
    results = (Result.objects
               .filter(permissions.restrict(user, "view", registry.get("compliance-results")),
                       subtree_q("unit_path", [unit.path]))
               .exclude(status=Status.NOT_APPLICABLE)
               .select_related("unit", "requirement")
               .order_by("unit_path", "requirement__category", "requirement__order"))
    rows = []
    for i, r in enumerate(results, start=1):
        req = r.requirement
        rows.append([i, r.unit.name, req.get_category_display(), req.short_title,
                     localized(req.text),
                     f"{localized(req.citation.get('document', {}))} "
                     f"{req.citation.get('clause', '')}".strip(),
                     _number(r.required), _number(r.actual), r.get_status_display()])
    return Sheet(_("Standards list"),
                 [_("No."), _label(Result, "unit"), _("Category"), _("Requirement"),
                  _("What is required"), _("Basis"), _("Required"), _("Present"),
                  _("Result")], rows, [6, 20, 14, 20, 50, 30, 8, 8, 10])


def _number(value) -> Any:
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value


def responsibility_sheet(items: list[Hazard]) -> Sheet:
    """Who answers for what: per unit and responsible person, the items they carry."""
    groups: dict[tuple[str, int | None], list[Hazard]] = {}
    for h in items:
        groups.setdefault((h.unit_path, h.responsible_id), []).append(h)
    today = timezone.localdate()
    rows = []
    for i, members in enumerate(groups.values(), start=1):
        first = members[0]
        person = first.responsible
        open_items = [h for h in members if h.is_open]
        closed = [h for h in members if not h.is_open]
        rows.append([
            i, first.unit.name, person.name if person else _("Not assigned yet"),
            person.post if person else "", len(members), len(open_items),
            sum(1 for h in open_items if h.deadline and h.deadline < today), len(closed),
            sum(1 for h in closed if on_time(h)),
            "\n".join(_("%(title)s (by %(deadline)s)") % {
                "title": h.title, "deadline": _day(h.deadline)} if h.deadline else h.title
                for h in open_items)])
    return Sheet(_("Responsibility list"),
                 [_("No."), _label(Hazard, "unit"), _label(Hazard, "responsible"),
                  _("Post"), _("Items"), _("Still open"), _("Past the deadline"), _("Closed"),
                  _("Closed on time"), _("Open items and deadlines")],
                 rows, [6, 20, 14, 14, 8, 8, 10, 8, 10, 50])


def methods_sheet(items: list[Hazard]) -> Sheet:
    """How each open item is to be rectified: its measures (for a compliance gap without
    measures, the requirement's own "how to fix"), by whom and by when."""
    rows = []
    open_items = [h for h in items if h.is_open]
    for i, h in enumerate(open_items, start=1):
        measures = h.measures or (localized(h.requirement.remedy) if h.requirement else "")
        rows.append([i, h.unit.name, h.get_kind_display(), h.title, h.get_severity_display(),
                     measures, h.responsible.name if h.responsible else "",
                     _day(h.deadline), h.get_status_display()])
    h = Hazard
    return Sheet(_("Methods list"),
                 [_("No."), _label(h, "unit"), _label(h, "kind"), _("Problem found"),
                  _label(h, "severity"), _label(h, "measures"), _label(h, "responsible"),
                  _label(h, "deadline"), _label(h, "status")],
                 rows, [6, 20, 8, 30, 8, 45, 12, 12, 14])


def procedures_sheet(user, items: QuerySet[Hazard], listed: list[Hazard]) -> Sheet:
    """The procedure each item went through: found, then every step in order, with who,
    when, what and the photos taken."""
    steps = (HazardStep.objects
             .filter(permissions.restrict(user, "view", registry.get("hazard-steps")),
                     hazard__in=items.values("pk"))
             .select_related("by", "responsible")
             .order_by("done_on", "pk"))
    photos: dict[str, list[str]] = {}
    for att in Attachment.objects.filter(
            record_type=HazardStep._meta.label_lower,
            record_id__in=steps.order_by().values_list(Cast("pk", CharField()))
    ).order_by("pk").only("record_id", "filename"):
        photos.setdefault(att.record_id, []).append(att.filename)
    by_hazard: dict[int, list[HazardStep]] = {}
    for s in steps:
        by_hazard.setdefault(s.hazard_id, []).append(s)
    rows = []
    for n, h in enumerate(listed, start=1):
        rows.append([n, h.unit.name, h.title, 1, HazardStatus.FOUND.label, _day(h.found_on),
                     h.found_by, "", "", h.description, ""])
        for i, s in enumerate(by_hazard.get(h.pk, []), start=2):
            rows.append([n, h.unit.name, h.title, i, s.get_kind_display(), _day(s.done_on),
                         _user(s.by), s.responsible.name if s.responsible else "",
                         _day(s.deadline) if s.kind == StepKind.ASSIGN else "",
                         "\n".join(x for x in (s.measures, s.note) if x),
                         "\n".join(photos.get(str(s.pk), []))])
    return Sheet(_("Procedures list"),
                 [_("No."), _label(Hazard, "unit"), _("Problem found"), _("Step no."),
                  _label(HazardStep, "kind"), _label(HazardStep, "done_on"),
                  _label(HazardStep, "by"), _label(HazardStep, "responsible"),
                  _label(HazardStep, "deadline"), _("What was done or decided"),
                  _("Photos")],
                 rows, [6, 20, 30, 8, 14, 12, 12, 12, 12, 45, 30])


def write(sheets: list[Sheet]) -> bytes:
    """One workbook, one sheet each; text is written as text (no formula, link or number
    read into it) and text a spreadsheet would run as a formula gets a quote in front."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, **_TEXT_ONLY})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                            "bg_color": "#EEEEEE", "border": 1})
    cell = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for sheet in sheets:
        ws = book.add_worksheet(_sheet_name(sheet.name))
        ws.write_row(0, 0, sheet.header, head)
        for r, row in enumerate(sheet.rows, start=1):
            ws.write_row(r, 0, [v if isinstance(v, (int, float)) else str(neutralise(v))
                                for v in row], cell)
        for col, width in enumerate(sheet.widths):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(sheet.rows), 1), len(sheet.header) - 1)
    book.close()
    return buf.getvalue()


def _sheet_name(text: str) -> str:
    return "".join(" " if ch in "\\/?*[]:'" else ch for ch in text)[:31]


def register_xlsx(user, unit: Unit, language: str) -> bytes:
    with translation.override(language):
        return write([register_sheet(list(hazards(user, unit)))])


def four_lists_xlsx(user, unit: Unit, language: str) -> bytes:
    with translation.override(language):
        qs = hazards(user, unit)
        items = list(qs)
        return write([standards_sheet(user, unit), responsibility_sheet(items),
                      methods_sheet(items), procedures_sheet(user, qs, items),
                      register_sheet(items, _("Hazard detail table"))])
