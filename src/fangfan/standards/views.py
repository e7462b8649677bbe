"""Compliance pages (SPEC STD-3, STD-6): a unit's gaps with clause, required vs actual
and how to fix; an authority's rates over its subtree. Both read stored results only."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangfan.core import permissions, registry
from fangfan.core.models import Role, Unit
from fangfan.core.scoping import in_subtree, subtree_q
from fangfan.core.views.pages import unit_for
from fangfan.standards import calendar, engine, four, matrix, snapshots, tallies
from fangfan.standards.models import (
    Category,
    Evaluation,
    Obligation,
    ObligationStatus,
    Requirement,
    Result,
    Status,
    localized,
)
from fangfan.standards.reasons import missing_records

ORDER = [Status.UNMET, Status.UNKNOWN, Status.MET, Status.NOT_APPLICABLE]


def _unit_for(request, code: str | None) -> Unit:
    """The unit asked for (or the current one), if the user may read its results."""
    return unit_for(request, code, "compliance-results")


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
        r.missing = missing_records(r.missing_facts, request.user, unit)
    gaps = _by_category([r for r in rows if r.status == Status.UNMET])
    counts = {s: sum(r.status == s for r in rows) for s in Status.values}
    return render(request, "standards/unit.html", {
        "unit": unit, "gaps": gaps, "counts": counts,
        "unknown": [r for r in rows if r.status == Status.UNKNOWN],
        "met": [r for r in rows if r.status == Status.MET],
        "computed_at": Evaluation.objects.filter(unit=unit).values_list(
            "computed_at", flat=True).first(),
        "changed_at": max((r.computed_at for r in rows), default=None),
        "can_refresh": may_refresh(request.user, unit),
    })


def _by_category(rows: list[Result]) -> list[tuple[str, list[Result]]]:
    labels = dict(Category.choices)
    groups: dict[str, list[Result]] = {}
    for r in rows:
        groups.setdefault(r.requirement.category, []).append(r)
    return [(labels[c], groups[c]) for c in Category.values if c in groups]


# Recomputing costs the worker a subtree's evaluation, so it is a keeper's action, not a
# reader's: the unit's administrators and the supervisors above it (docs/permissions.md).
REFRESHERS = {Role.SYSTEM_ADMIN, Role.UNIT_ADMIN, Role.SUPERVISOR}


def may_refresh(user, unit: Unit) -> bool:
    """May `user` ask for `unit`'s results to be recomputed now?"""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return in_subtree(unit.path, [p for role, p in permissions.grants(user)
                                  if role in REFRESHERS])


@login_required
@require_POST
def refresh(request, code: str):
    """Recompute a unit's results now (they are also recomputed after every change)."""
    unit = _unit_for(request, code)
    if not may_refresh(request.user, unit):
        raise PermissionDenied
    engine.evaluate_subtree([unit.path])
    messages.success(request, _("Compliance recomputed."))
    return redirect("compliance-unit", code=unit.code)


def _rate(met: int, total: int) -> float | None:
    return round(100 * met / total, 1) if total else None


@login_required
def overview(request, code: str | None = None):
    """STD-6: rates per requirement and category, by stage and locale, the four 100%,
    deadlines and the child ranking, all from the authority's tallies (the page costs
    the same for a district as for a province)."""
    unit = _unit_for(request, code)
    if not unit.children.exists():
        return redirect("compliance-unit", code=unit.code)
    rows = tallies.read(unit)
    keys = {int(t.key) for t in rows if not t.key.startswith("four:")}
    reqs = {r.pk: r for r in Requirement.objects.filter(pk__in=keys)}
    plain = [t for t in rows if not t.key.startswith("four:") and int(t.key) in reqs]
    per_req: dict[int, dict] = {}
    for t in plain:
        req = reqs[int(t.key)]
        row = per_req.setdefault(req.pk, {"requirement": req, "total": 0, "met": 0,
                                          "unmet": 0, "unknown": 0,
                                          "text": localized(req.text)})
        row["total"] += t.n
        row[t.status] += t.n
    requirements = [{**r, "rate": _rate(r["met"], r["total"])}
                    for _, r in sorted(per_req.items())]
    return render(request, "standards/overview.html", {
        "unit": unit, "requirements": requirements,
        "categories": _grouped(plain, lambda t: reqs[int(t.key)].category,
                               dict(Category.choices)),
        "stages": _grouped(plain, lambda t: t.stage, _stage_labels()),
        "locales": _grouped(plain, lambda t: t.locale, _locale_labels()),
        "ranking": _ranking(unit),
        "four": four.four_rates(rows, {pk for pk, r in reqs.items() if r.ref == "R-STAFF"}),
        "deadlines": four.deadlines(rows, {pk for pk, r in reqs.items()
                                           if r.ref == "R-DEADLINE"}),
        "trend": snapshots.trend(unit),
    })


def _grouped(rows: list, group, labels: dict) -> list[dict]:
    totals: dict[str, list[int]] = {}
    for t in rows:
        pair = totals.setdefault(group(t), [0, 0])
        pair[0] += t.n if t.status == Status.MET else 0
        pair[1] += t.n
    return sorted(({"label": labels.get(key) or "—", "total": total, "met": met,
                    "rate": _rate(met, total)} for key, (met, total) in totals.items()),
                  key=lambda r: str(r["label"]))


def _ranking(unit: Unit) -> list[dict]:
    """Child units ranked by the share of met results in their subtrees."""
    figures = tallies.of_children(unit)
    children = Unit.objects.filter(parent=unit).values_list("path", "name", "code")
    ranked = [{"name": name, "code": code, "total": figures[path][1],
               "met": figures[path][0], "rate": _rate(*figures[path])}
              for path, name, code in children if path in figures]
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
    today = timezone.localdate()
    terms = calendar.terms_for(unit.path, calendar.terms_by_path())
    start, end = calendar.entry_window(today, terms)
    entries = calendar.entries_for(request.user, unit, start, end)
    groups = [(key.label, [o for o in own if o.status == key],
               [e for e in entries if e.status == key]) for key in order]
    subtree = scope.filter(subtree_q("unit_path", [unit.path])).exclude(unit=unit)
    overdue_units = (subtree.filter(status=ObligationStatus.OVERDUE)
                     .values("unit__code", "unit__name").annotate(n=Count("id"))
                     .order_by("-n", "unit__name")[:50])
    return render(request, "standards/calendar.html", {
        "unit": unit, "groups": [g for g in groups if g[1] or g[2]],
        "has_terms": bool(terms),
        "subtree_counts": dict(subtree.values_list("status").annotate(n=Count("id"))),
        "overdue_units": overdue_units, "has_children": unit.children.exists(),
    })



@login_required
def gap_matrix(request, code: str | None = None):
    """The units × requirements gap matrix of an authority's subtree (issue 8)."""
    unit = _unit_for(request, code)
    context = matrix.context(request, unit)
    if request.htmx:
        return render(request, "standards/matrix_table.html", context)
    return render(request, "standards/matrix.html", context)
