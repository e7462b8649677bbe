"""The authority's gap matrix (issue 8): the units of its subtree × requirements (or
their categories), worst first, so a supervisor sees which school has which gap without
opening each school.

Built for a city of thousands of schools: the ranking reads one stored row per unit
(`Evaluation`'s counts by status, kept by the engine) and one grouped count of overdue
obligations; only the units of the page shown have their results read."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count
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
# Worst first within a cell of several results (a category).
SEVERITY = {Status.UNMET: 0, Status.UNKNOWN: 1, Status.MET: 2}
FILTERS = {"stage": Stage, "locale": Locale, "grade": KeyTargetGrade}
FILTER_LABELS = {"stage": _("School stage"), "locale": _("Locale"),
                 "grade": _("Key-target grade")}
BY_CHOICES = [("category", _("By category")), ("requirement", _("By requirement"))]


@dataclass
class Cell:
    status: str | None  # None: nothing applies
    key: object = None  # the column: a category or a requirement id
    unmet: int = 0
    total: int = 0
    result_id: int | None = None  # the result itself, when the cell holds one
    requirement_id: int | None = None  # else the worst one's place on the unit's page


@dataclass
class Row:
    unit_id: int
    name: str
    code: str
    parent: str
    met: int
    unmet: int
    unknown: int
    overdue: int
    cells: list[Cell] = field(default_factory=list)

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


def context(request, unit: Unit) -> dict:
    """What the matrix template needs (its page, and the authority's home page)."""
    built = build(request.user, unit, request.GET)
    fields = [{"name": name, "label": FILTER_LABELS[name], "choices": choices.choices,
               "value": built.filters.get(name, "")} for name, choices in FILTERS.items()]
    return {"unit": unit, "matrix": built, "filter_fields": fields, "by_choices": BY_CHOICES}


def build(user, unit: Unit, params) -> Matrix:
    """The page of the matrix asked for by `params` (by, stage, locale, grade, page)."""
    by = params.get("by") if params.get("by") in dict(BY_CHOICES) else "category"
    chosen = {k: params.get(k, "") for k in FILTERS
              if params.get(k, "") in {str(v) for v in FILTERS[k].values}}
    rows = _ranked(user, unit, chosen)
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    columns = _fill(list(page.object_list), by)
    return Matrix(page=page, columns=columns, by=by, filters=chosen)


def _ranked(user, unit: Unit, chosen: dict[str, str]) -> list[Row]:
    """Every judged unit below `unit` the user may read, overdue first, then by gaps."""
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
    rows = qs.exclude(met=0, unmet=0, unknown=0).values_list(
        "unit_id", "unit__name", "unit__code", "unit__parent_id", "unit__parent__name",
        "met", "unmet", "unknown")
    overdue = _overdue_by_unit(unit)
    # The parent is named only where it is not the authority itself (a city's schools).
    out = [Row(u, name, code, parent if parent_id != unit.pk else "", met, unmet, unknown,
               overdue.get(u, 0))
           for u, name, code, parent_id, parent, met, unmet, unknown in rows]
    out.sort(key=lambda r: (r.no_data, -r.overdue, -r.unmet, -r.unknown, r.name))
    return out


def _overdue_by_unit(unit: Unit) -> dict[int, int]:
    return dict(Obligation.objects.filter(subtree_q("unit_path", [unit.path]),
                                          status=ObligationStatus.OVERDUE)
                .values_list("unit_id").annotate(n=Count("id")).order_by())


def _fill(rows: list[Row], by: str) -> list[dict]:
    """Read the page's results and put them in cells; return the columns."""
    results = list(Result.objects.filter(unit_id__in=[r.unit_id for r in rows])
                   .exclude(status=Status.NOT_APPLICABLE)
                   .values_list("unit_id", "requirement_id", "status", "id"))
    req_of = {r[3]: r[1] for r in results}
    if by == "requirement":
        reqs = Requirement.objects.filter(pk__in={r[1] for r in results}).select_related("pack")
        columns = [{"key": q.pk, "label": q.short_title, "ref": q.ref} for q in reqs]
        key_of = {q.pk: q.pk for q in reqs}
    else:
        present = set(Requirement.objects.filter(pk__in={r[1] for r in results})
                      .values_list("pk", "category"))
        key_of = dict(present)
        labels = dict(Category.choices)
        used = set(key_of.values())
        columns = [{"key": c, "label": labels[c], "ref": ""} for c in Category.values
                   if c in used]
    grouped: dict[tuple[int, object], list[tuple[str, int]]] = {}
    for unit_id, req_id, status, result_id in results:
        grouped.setdefault((unit_id, key_of[req_id]), []).append((status, result_id))
    for row in rows:
        row.cells = [_cell(grouped.get((row.unit_id, c["key"]), []), c["key"], req_of)
                     for c in columns]
    return columns


def _cell(found: list[tuple[str, int]], key: object, req_of: dict[int, int]) -> Cell:
    if not found:
        return Cell(status=None, key=key)
    status, result_id = min(found, key=lambda f: SEVERITY.get(f[0], 3))
    return Cell(status=status, key=key, unmet=sum(s == Status.UNMET for s, _ in found),
                total=len(found), result_id=result_id if len(found) == 1 else None,
                requirement_id=req_of[result_id])
