"""Compliance pages (SPEC STD-3, STD-6): a unit's gaps with clause, required vs actual
and how to fix; an authority's rates over its subtree. Both read stored results only."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangfan.core import permissions, registry
from fangfan.core.models import Unit
from fangfan.core.scoping import subtree_q
from fangfan.standards import calendar, engine, four, snapshots
from fangfan.standards.facts import unknown_reason
from fangfan.standards.models import (
    Category,
    Evaluation,
    Obligation,
    ObligationStatus,
    Result,
    Status,
    localized,
)

ORDER = [Status.UNMET, Status.UNKNOWN, Status.MET, Status.NOT_APPLICABLE]


def _results_type():
    return registry.get("compliance-results")


def _unit_for(request, code: str | None) -> Unit:
    """The unit asked for (or the current one), if the user may read its results."""
    code = code or request.session.get("unit")
    if not code:
        roots = permissions.unit_roots(request.user)
        unit = Unit.objects.filter(path__in=roots).order_by("path").first()
    else:
        unit = Unit.objects.filter(code=code).first()
    if unit is None or not permissions.allowed(request.user, "view", _results_type(),
                                               unit.path):
        raise Http404
    return unit


@login_required
def unit_compliance(request, code: str | None = None):
    unit = _unit_for(request, code)
    if "own" not in request.GET and unit.children.exists():
        return redirect("compliance-overview", code=unit.code)
    rows = list(Result.objects.filter(unit=unit).select_related("requirement__pack")
                .order_by("requirement__pack__urn", "requirement__order"))
    for r in rows:
        r.text = localized(r.requirement.text)
        r.remedy = localized(r.requirement.remedy)
        r.document = localized(r.requirement.citation["document"])
        r.reasons = [unknown_reason(f) for f in r.reason.split(",") if f]
    gaps = _by_category([r for r in rows if r.status == Status.UNMET])
    counts = {s: sum(r.status == s for r in rows) for s in Status.values}
    return render(request, "standards/unit.html", {
        "unit": unit, "gaps": gaps, "counts": counts,
        "unknown": [r for r in rows if r.status == Status.UNKNOWN],
        "met": [r for r in rows if r.status == Status.MET],
        "computed_at": Evaluation.objects.filter(unit=unit).values_list(
            "computed_at", flat=True).first(),
        "changed_at": max((r.computed_at for r in rows), default=None),
        "can_refresh": permissions.allowed(request.user, "view", _results_type(), unit.path),
    })


def _by_category(rows: list[Result]) -> list[tuple[str, list[Result]]]:
    labels = dict(Category.choices)
    groups: dict[str, list[Result]] = {}
    for r in rows:
        groups.setdefault(r.requirement.category, []).append(r)
    return [(labels[c], groups[c]) for c in Category.values if c in groups]


@login_required
@require_POST
def refresh(request, code: str):
    """Recompute a unit's results now (they are also recomputed after every change)."""
    unit = _unit_for(request, code)
    engine.evaluate_subtree([unit.path])
    messages.success(request, _("Compliance recomputed."))
    return redirect("compliance-unit", code=unit.code)


def _rate(met: int, total: int) -> float | None:
    return round(100 * met / total, 1) if total else None


@login_required
def overview(request, code: str | None = None):
    """STD-6: rates per requirement and category, by stage and locale, child ranking."""
    unit = _unit_for(request, code)
    scope = Result.objects.filter(subtree_q("unit_path", [unit.path]),
                                  permissions.restrict(request.user, "view", _results_type()))
    applicable = scope.exclude(status=Status.NOT_APPLICABLE)
    per_req = applicable.values("requirement_id", "requirement__ref", "requirement__urn",
                                "requirement__category", "requirement__text").annotate(
        total=Count("id"), met=Count("id", filter=Q(status=Status.MET)),
        unmet=Count("id", filter=Q(status=Status.UNMET)),
        unknown=Count("id", filter=Q(status=Status.UNKNOWN))).order_by("requirement_id")
    requirements = [{**r, "text": localized(r["requirement__text"]),
                     "rate": _rate(r["met"], r["total"])} for r in per_req]
    return render(request, "standards/overview.html", {
        "unit": unit, "requirements": requirements,
        "categories": _grouped(applicable, "requirement__category", dict(Category.choices)),
        "stages": _grouped(applicable, "unit__stage", _stage_labels()),
        "locales": _grouped(applicable, "unit__locale", _locale_labels()),
        "ranking": _ranking(unit, applicable),
        "four": four.four_rates(scope),
        "deadlines": four.deadlines(scope),
        "trend": snapshots.trend(unit),
    })


def _grouped(qs, field: str, labels: dict) -> list[dict]:
    rows = qs.values(field).annotate(total=Count("id"),
                                     met=Count("id", filter=Q(status=Status.MET)))
    return sorted(({"label": labels.get(r[field]) or "—", "total": r["total"],
                    "met": r["met"], "rate": _rate(r["met"], r["total"])} for r in rows),
                  key=lambda r: str(r["label"]))


def _ranking(unit: Unit, qs) -> list[dict]:
    """Child units ranked by the share of met results in their subtrees (one query)."""
    width = len(unit.path) + len(unit.path[-8:])
    rows = (qs.filter(unit_path__gt=unit.path)
            .annotate(child=Substr(F("unit_path"), 1, width)).values("child")
            .annotate(total=Count("id"), met=Count("id", filter=Q(status=Status.MET)))
            .order_by())
    names = dict(Unit.objects.filter(parent=unit).values_list("path", "name"))
    codes = dict(Unit.objects.filter(parent=unit).values_list("path", "code"))
    ranked = [{"name": names.get(r["child"], r["child"]), "code": codes.get(r["child"]),
               "total": r["total"], "met": r["met"], "rate": _rate(r["met"], r["total"])}
              for r in rows if r["child"] in names]
    return sorted(ranked, key=lambda r: (-(r["rate"] or 0), r["name"]))


def _stage_labels() -> dict:
    from fangfan.core.models import Stage

    return dict(Stage.choices)


def _locale_labels() -> dict:
    from fangfan.core.models import Locale

    return dict(Locale.choices)


@login_required
def obligation_calendar(request, code: str | None = None):
    """STD-4: the unit's obligations by status; for an authority, its subtree's counts
    and the units with overdue obligations."""
    unit = _unit_for(request, code)
    rt = registry.get("obligations")
    scope = Obligation.objects.filter(permissions.restrict(request.user, "view", rt))
    own = list(scope.filter(unit=unit).select_related("requirement").order_by("due_on"))
    for ob in own:
        ob.text = localized(ob.requirement.text)
    order = [ObligationStatus.OVERDUE, ObligationStatus.DUE, ObligationStatus.UPCOMING,
             ObligationStatus.DONE]
    groups = [(key.label, [o for o in own if o.status == key]) for key in order]
    subtree = scope.filter(subtree_q("unit_path", [unit.path])).exclude(unit=unit)
    overdue_units = (subtree.filter(status=ObligationStatus.OVERDUE)
                     .values("unit__code", "unit__name").annotate(n=Count("id"))
                     .order_by("-n", "unit__name")[:50])
    return render(request, "standards/calendar.html", {
        "unit": unit, "groups": [g for g in groups if g[1]],
        "has_terms": bool(calendar.terms_for(unit.path, calendar.terms_by_path())),
        "subtree_counts": dict(subtree.values_list("status").annotate(n=Count("id"))),
        "overdue_units": overdue_units, "has_children": unit.children.exists(),
    })
