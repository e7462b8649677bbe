"""The authority's gap matrix (issue 8): the units of its subtree × requirements (or
their categories), worst first, so a supervisor sees which school has which gap without
opening each school.

Built for a city of thousands of schools: the ranking reads one stored row per unit
(`Evaluation`'s counts by status, kept by the engine) and one grouped count of overdue
obligations; only the units of the page shown have their results read."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fangfan.core import permissions, registry
from fangfan.core.models import KeyTargetGrade, Locale, Stage, Unit
from fangfan.core.scoping import subtree_q
from fangfan.standards.models import (
    Category,
    Evaluation,
    Obligation,
    ObligationStatus,
    Requirement,
    Result,
    Status,
)

PAGE_SIZE = 50
# The home page shows the worst units and links to the whole matrix.
HOME_SIZE = 20
# Worst first within a cell of several results (a category).
SEVERITY = {Status.UNMET: 0, Status.UNKNOWN: 1, Status.MET: 2}
FILTERS = {"stage": Stage, "locale": Locale, "grade": KeyTargetGrade}
FILTER_LABELS = {"stage": _("School stage"), "locale": _("Locale"),
                 "grade": _("Key-target grade")}
BY_CHOICES = [("category", _("By category")), ("requirement", _("By requirement"))]


@dataclass
class Cell:
    status: str | None  # None: nothing applies
    unmet: int = 0
    total: int = 0
    result_id: int | None = None  # the result itself, when the cell holds one
    requirement_id: int | None = None  # else the worst one's place on the unit's page


@dataclass
class Row:
    unit_id: int
    name: str
    code: str
    path: str
    parent: str
    met: int
    unmet: int
    unknown: int
    overdue: int
    cells_html: str = ""
    url: str = ""  # the unit's own compliance page

    @property
    def no_data(self) -> bool:
        """Nothing recorded that any requirement could judge: not ranked as failing."""
        return self.met == 0 and self.unmet == 0


@dataclass
class Matrix:
    page: Page
    columns: list[dict]
    by: str
    filters: dict[str, str]


def context(request, unit: Unit, size: int = PAGE_SIZE) -> dict:
    """What the matrix template needs (its page, and the authority's home page)."""
    built = build(request.user, unit, request.GET, size)
    fields = [{"name": name, "label": FILTER_LABELS[name], "choices": choices.choices,
               "value": built.filters.get(name, "")} for name, choices in FILTERS.items()]
    # Words every row repeats, translated once (a page has fifty rows, twice over).
    labels = {"gaps": gettext("Gaps"), "no_gaps": gettext("No gaps"),
              "overdue": gettext("Overdue"), "unknown": gettext("Unknown"),
              "no_data": gettext("No data")}
    return {"unit": unit, "matrix": built, "filter_fields": fields, "by_choices": BY_CHOICES,
            "labels": labels, "on_home": size != PAGE_SIZE}


def build(user, unit: Unit, params, size: int = PAGE_SIZE) -> Matrix:
    """The page of the matrix asked for by `params` (by, stage, locale, grade, page)."""
    by = params.get("by") if params.get("by") in dict(BY_CHOICES) else "category"
    chosen = {k: params.get(k, "") for k in FILTERS
              if params.get(k, "") in {str(v) for v in FILTERS[k].values}}
    page = Paginator(_ranked(user, unit, chosen), size).get_page(params.get("page"))
    page.object_list = [Row(u, name, code, path, parent if parent_id != unit.pk else "",
                            met, unmet, unknown, overdue)
                        for u, name, code, path, parent_id, parent, met, unmet, unknown,
                        overdue in page.object_list]
    columns = _fill(page.object_list, by)
    return Matrix(page=page, columns=columns, by=by, filters=chosen)


def _ranked(user, unit: Unit, chosen: dict[str, str]) -> QuerySet:
    """Every judged unit below `unit` the user may read: overdue first, then by gaps and
    unknowns, units with no data last. Ordered in SQL, so a page of a city's thousands
    of units reads 50 rows (the parent is named only where it is not the authority)."""
    rt = registry.get("compliance-results")
    qs = Evaluation.objects.filter(subtree_q("unit__path", [unit.path])).exclude(unit=unit)
    if not (user.is_superuser and user.is_active):
        qs = qs.filter(subtree_q("unit__path", permissions.scope_roots(user, "view", rt)))
    if "stage" in chosen:
        qs = qs.filter(stage=chosen["stage"])
    if "locale" in chosen:
        qs = qs.filter(locale=chosen["locale"])
    if "grade" in chosen:
        qs = qs.filter(unit__key_target_grade=int(chosen["grade"]))
    overdue = (Obligation.objects.filter(unit_id=OuterRef("unit_id"),
                                         status=ObligationStatus.OVERDUE)
               .values("unit_id").annotate(n=Count("id")).values("n"))
    return (qs.exclude(met=0, unmet=0, unknown=0)
            .annotate(overdue=Coalesce(Subquery(overdue), 0),
                      no_data=Case(When(met=0, unmet=0, then=1), default=0))
            .order_by("no_data", "-overdue", "-unmet", "-unknown", "unit__name", "unit_id")
            .values_list("unit_id", "unit__name", "unit__code", "unit__path",
                         "unit__parent_id", "unit__parent__name", "met", "unmet", "unknown",
                         "overdue"))


def _fill(rows: list[Row], by: str) -> list[dict]:
    """Read the page's results and put them in cells; return the columns."""
    # By path, the (unit_path, status) index: by unit id PostgreSQL guessed a scan of
    # every result before its statistics caught up with a fresh evaluation.
    results = list(Result.objects.filter(unit_path__in=[r.path for r in rows])
                   .exclude(status=Status.NOT_APPLICABLE)
                   .values_list("unit_id", "requirement_id", "status", "id"))
    reqs = Requirement.objects.filter(pk__in={r[1] for r in results})
    if by == "requirement":
        columns = [{"key": q.pk, "label": q.short_title, "ref": q.ref} for q in reqs]
        key_of = {q.pk: q.pk for q in reqs}
    else:
        key_of = dict(reqs.values_list("pk", "category"))
        labels = dict(Category.choices)
        columns = [{"key": c, "label": labels[c], "ref": ""} for c in Category.values
                   if c in set(key_of.values())]
    grouped: dict[tuple[int, object], list[tuple[str, int, int]]] = {}
    for unit_id, req_id, status, result_id in results:
        grouped.setdefault((unit_id, key_of[req_id]), []).append((status, result_id, req_id))
    titles = {k: escape(v) for k, v in ((Status.UNMET, gettext("Not met")),
              (Status.UNKNOWN, gettext("Unknown (data missing)")), (Status.MET, gettext("Met")))}
    result_url = reverse("records:compliance-results-detail", args=[0])[:-2]
    for row in rows:
        cells = [_cell(grouped.get((row.unit_id, c["key"]), [])) for c in columns]
        row.url = reverse("compliance-unit", args=[row.code]) + "?own"
        page = escape(row.url + "#req-")
        row.cells_html = mark_safe("".join(  # every part escaped or ours
            _cell_html(cell, by, result_url, page, titles) for cell in cells))
    return columns


def _cell_html(cell: Cell, by: str, result_url: str, page: str, titles: dict) -> str:
    """One cell, written here rather than by an included template or format_html: a
    city's page has a thousand cells, which cost more than the rest of the page. Every
    part is a status code, a number, or text escaped once by the caller."""
    if cell.status is None:
        return '<td class="text-center text-secondary gm-cell">·</td>'
    if by == "requirement" and cell.result_id:
        href = f"{result_url}{cell.result_id}/"
    else:
        href = f"{page}{cell.requirement_id}"
    symbol = {Status.UNMET: "✗", Status.UNKNOWN: "?"}.get(cell.status, "✓")
    if cell.status == Status.UNMET and cell.total > 1:
        symbol = f"✗ {cell.unmet}"
    return (f'<td class="text-center gm-cell gm-{cell.status}"><a href="{href}" '
            f'title="{titles.get(cell.status, "")}">{symbol}</a></td>')


def _cell(found: list[tuple[str, int, int]]) -> Cell:
    """The worst of a cell's results (status, result id, requirement id)."""
    if not found:
        return Cell(status=None)
    status, result_id, req_id = min(found, key=lambda f: SEVERITY.get(f[0], 3))
    return Cell(status=status, unmet=sum(f[0] == Status.UNMET for f in found),
                total=len(found), result_id=result_id if len(found) == 1 else None,
                requirement_id=req_id)
