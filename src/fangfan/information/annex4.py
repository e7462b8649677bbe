"""The statistics table of school security work (seed 004, annex 4: 全市校园安全防范三年
行动计划工作情况统计表), generated for any subtree from the records: one row per school
with the figures of the action plan's measures — guards against the annex-1 standard,
guard kit, one-key alarm and video, drills, self-inspections and supervision, hazards,
the legal-education vice principal, meetings, training and publicity — and a total row.

The seed names the table but does not print its columns; the columns follow the
measures and targets of the plan, in its order (docs/information.md). Every figure is
read with grouped queries (the standards facts, one query per family, and a few of this
app's and the hazards'), so the number of queries does not grow with the subtree."""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

import xlsxwriter
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.models import Unit
from fangfan.core.scoping import subtree_q
from fangfan.core.tabular import _TEXT_ONLY, neutralise
from fangfan.information.facts import year_start
from fangfan.information.models import LegalVicePrincipal, SessionKind, TrainingSession
from fangfan.information.reporting import AUTHORITY_KINDS
from fangfan.inspections.models import OPEN_STATUSES, Hazard
from fangfan.standards.facts import compute

# Who may download it: whoever may read the reporting windows at the unit.
RECORD_TYPE = "meetings"
FACTS = ("guards_full_time", "kit_items_min", "gate_alarm_networked",
         "main_gate_camera_ok", "video_retention_days_min", "faults_unrestored_over_24h",
         "semesters_without_drill", "months_without_self_inspection",
         "supervisions_missing", "quarters_without_meeting")


def guards_required(unit: Unit) -> int:
    """Full-time guards by annex 1 of seed 004 (as rule R-STAFF reads it)."""
    people = unit.staff_count + unit.student_count
    need = 1 if people < 100 else 2 if people <= 1000 else 2 + (people - 1000) // 500
    if unit.boarding:
        need = max(need, 2) + unit.boarder_count // 300
    return need


@dataclass
class Col:
    title: str
    kind: str  # "text", "int", "yes" (bool counted in the total), "sum"
    width: int = 10


def columns() -> list[Col]:
    return [
        Col(_("No."), "text", 5), Col(_("School"), "text", 24), Col(_("Stage"), "text", 8),
        Col(_("Locale"), "text", 6), Col(_("Staff and students"), "sum"),
        Col(_("Boarders"), "sum"), Col(_("Full-time guards required (annex 1)"), "sum"),
        Col(_("Full-time guards in post"), "sum"), Col(_("Guards up to standard"), "yes"),
        Col(_("Guard kit per guard (fewest item)"), "int"),
        Col(_("One-key alarm networked to the police"), "yes"),
        Col(_("Main-gate video identifies people and plates"), "yes"),
        Col(_("Video kept (shortest, days)"), "int"),
        Col(_("Technical faults unrestored over 24 hours"), "sum"),
        Col(_("Semesters without a drill"), "sum"),
        Col(_("Months without a self-inspection"), "sum"),
        Col(_("Supervisory inspections missing"), "sum"),
        Col(_("Hazards found this year"), "sum"), Col(_("Hazards still open"), "sum"),
        Col(_("Hazards past their deadline"), "sum"),
        Col(_("Legal-education vice principal"), "text", 16),
        Col(_("Quarters without a situation analysis meeting"), "sum"),
        Col(_("Training sessions this year"), "sum"),
        Col(_("Training attendances this year"), "sum"),
        Col(_("Publicity activities this year"), "sum"),
        Col(_("Reached by publicity this year"), "sum"),
    ]


def schools(unit: Unit):
    """The units of the subtree that are not authorities, in tree order."""
    return Unit.objects.filter(subtree_q("path", [unit.path])).exclude(
        kind__in=AUTHORITY_KINDS).order_by("path")


def _by_path(qs, **annotations) -> dict[str, dict]:
    return {row.pop("unit_path"): row for row in qs.values("unit_path").annotate(
        **annotations).order_by()}


def rows(user, unit: Unit) -> list[list]:
    """The table's rows (without the total), one per school, from grouped queries."""
    units = list(schools(unit))
    scope = subtree_q("unit_path", [unit.path])
    facts = compute(scope, set(FACTS))
    start = year_start()
    today = timezone.localdate()
    hazards = _by_path(
        Hazard.objects.filter(scope, permissions.restrict(user, "view",
                                                           registry.get("hazards"))),
        found=Count("id", filter=Q(found_on__gte=start)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        late=Count("id", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)))
    sessions = _by_path(
        TrainingSession.objects.filter(scope, held_on__gte=start),
        training=Count("id", filter=~Q(kind=SessionKind.PUBLICITY), distinct=True),
        attendances=Count("participants", filter=~Q(kind=SessionKind.PUBLICITY)),
        publicity=Count("id", filter=Q(kind=SessionKind.PUBLICITY), distinct=True),
        reached=Sum("audience", filter=Q(kind=SessionKind.PUBLICITY)))
    vice = dict(LegalVicePrincipal.objects.filter(scope, ended_on__isnull=True)
                .values_list("unit_path", "name"))
    out = []
    for i, u in enumerate(units, start=1):
        f = facts.get(u.path, {})
        h, s = hazards.get(u.path, {}), sessions.get(u.path, {})
        need, have = guards_required(u), f.get("guards_full_time")
        out.append([
            i, u.name, u.get_stage_display(), u.get_locale_display(),
            u.staff_count + u.student_count, u.boarder_count, need, have,
            None if have is None else have >= need, f.get("kit_items_min"),
            f.get("gate_alarm_networked"), f.get("main_gate_camera_ok"),
            f.get("video_retention_days_min"), f.get("faults_unrestored_over_24h"),
            f.get("semesters_without_drill"), f.get("months_without_self_inspection"),
            f.get("supervisions_missing"), h.get("found", 0), h.get("open", 0),
            h.get("late", 0), vice.get(u.path) or _("None appointed"),
            f.get("quarters_without_meeting"), s.get("training", 0),
            s.get("attendances", 0), s.get("publicity", 0), s.get("reached") or 0])
    return out


def total(cols: list[Col], table: list[list]) -> list:
    """Sums of the figures, and for yes/no columns the schools answering yes."""
    out: list = []
    for c, col in enumerate(cols):
        values = [row[c] for row in table if row[c] is not None]
        if col.kind == "sum":
            out.append(sum(values))
        elif col.kind == "yes":
            out.append(_("%(n)s of %(of)s") % {"n": sum(1 for v in values if v),
                                                "of": len(table)})
        else:
            out.append("")
    out[1] = _("Total (%(n)s schools)") % {"n": len(table)}
    return out


def _shown(value, kind: str):
    if value is None:
        return _("Not recorded")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return str(neutralise(value))


def workbook(user, unit: Unit, language: str) -> bytes:
    with translation.override(language):
        cols = columns()
        table = rows(user, unit)
        buf = io.BytesIO()
        book = xlsxwriter.Workbook(buf, {"in_memory": True, **_TEXT_ONLY})
        title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
        head = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter",
                                "align": "center", "bg_color": "#EEEEEE", "border": 1})
        cell = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
        bold = book.add_format({"bold": True, "border": 1, "text_wrap": True})
        ws = book.add_worksheet(_("Statistics table")[:31])
        last = len(cols) - 1
        ws.merge_range(0, 0, 0, last, _("Statistics table of school security work "
                                         "(three-year action plan)"), title)
        ws.merge_range(1, 0, 1, last, _("%(unit)s · as of %(date)s · from the records "
                                        "kept in Fangfan") % {
            "unit": unit.name, "date": timezone.localdate()}, cell)
        ws.write_row(2, 0, [c.title for c in cols], head)
        ws.set_row(2, 60)
        for r, row in enumerate(table, start=3):
            ws.write_row(r, 0, [_shown(v, c.kind) for v, c in zip(row, cols, strict=True)],
                         cell)
        ws.write_row(3 + len(table), 0, [_shown(v, "text") if v != "" else ""
                                         for v in total(cols, table)], bold)
        for c, col in enumerate(cols):
            ws.set_column(c, c, col.width)
        ws.freeze_panes(3, 2)
        book.close()
        return buf.getvalue()
