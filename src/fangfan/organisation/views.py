"""The department duty matrix (ORG-2): every body of a unit against the areas of work,
with its duties, on one page and as an .xlsx."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry, tabular
from fangfan.core.downloads import XLSX, attachment
from fangfan.core.models import Unit
from fangfan.core.views.pages import unit_for
from fangfan.organisation.models import Body, BodyKind, DutyArea


def _matrix(unit: Unit) -> tuple[list[Body], list[dict]]:
    """Departments first, then the other bodies; per area the bodies covering it."""
    order = {BodyKind.DEPARTMENT: 0}
    bodies = sorted(Body.objects.filter(unit=unit),
                    key=lambda b: (order.get(b.kind, 1), b.kind, b.name))
    areas = [{"key": key, "label": label,
              "covered": sum(key in (b.areas or []) for b in bodies)}
             for key, label in DutyArea.choices]
    return bodies, areas


@login_required
def duty_matrix(request, code: str | None = None):
    unit = unit_for(request, code, "bodies")
    bodies, areas = _matrix(unit)
    if request.GET.get("format") == "xlsx":
        return _xlsx(unit, bodies, areas)
    rows = [{"body": b, "marks": [a["key"] in (b.areas or []) for a in areas],
             "covers": [a["label"] for a in areas if a["key"] in (b.areas or [])]}
            for b in bodies]
    can_add = permissions.allowed(request.user, "add", registry.get("bodies"), unit.path)
    return render(request, "organisation/duty_matrix.html",
                  {"unit": unit, "rows": rows, "areas": areas, "can_add": can_add,
                   "uncovered": _(", ").join(str(a["label"]) for a in areas
                                             if not a["covered"])})


def _xlsx(unit: Unit, bodies: list[Body], areas: list[dict]) -> HttpResponse:
    header = [_("Body"), _("Kind")] + [a["label"] for a in areas] + [_("Duties")]
    rows = [header] + [
        [b.name, b.get_kind_display()]
        + ["✓" if a["key"] in (b.areas or []) else "" for a in areas]
        + ["\n".join(b.duty_list)] for b in bodies]
    name = f"duty-matrix-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx"
    return attachment(tabular.to_xlsx(rows, _("Duty matrix")), XLSX, name)
