"""What a plan's, a drill's and a round's pages show beyond their fields (a few queries
each): a plan's elements, versions and who has read it; a drill's problems with their
hazards; a round's totals."""
from __future__ import annotations

from typing import Any

from django import template

from fangfan.core import permissions, registry
from fangfan.core.models import RoleGrant
from fangfan.emergency import services
from fangfan.emergency.models import REQUIRED_ELEMENTS, EmergencyPlan, PlanStatus

register = template.Library()


def _versions(plan: EmergencyPlan) -> list[EmergencyPlan]:
    """Every version of the plan's line, newest first (a short walk both ways)."""
    line, p = [], plan
    while p.previous_id:
        p = EmergencyPlan.objects.only("pk", "version", "status", "approved_on", "title",
                                       "previous_id").get(pk=p.previous_id)
        line.append(p)
    newer, p = [], plan
    while True:
        p = EmergencyPlan.objects.filter(previous=p).only(
            "pk", "version", "status", "approved_on", "title", "previous_id").first()
        if p is None:
            break
        newer.append(p)
    return [*reversed(newer), plan, *line]


@register.simple_tag(takes_context=True)
def plan_panel(context, plan: EmergencyPlan) -> dict[str, Any]:
    user = context["request"].user
    missing = set(plan.missing_elements)
    elements = [(str(label), str(label) not in missing) for _name, label in REQUIRED_ELEMENTS]
    out = {"elements": elements, "missing": sorted(missing), "versions": _versions(plan),
           "may_approve": plan.status == PlanStatus.DRAFT and services.may_approve(user, plan),
           "in_force": plan.status == PlanStatus.APPROVED}
    if plan.status == PlanStatus.APPROVED:
        have, have_not = services.readers(plan)
        out.update(have=have, have_not=have_not, total=len(have) + len(have_not),
                   may_acknowledge=RoleGrant.objects.filter(user=user, unit_id=plan.unit_id)
                   .exists() and user.pk not in {u.pk for u in have})
    out["may_change"] = permissions.allowed(user, "change", registry.get("emergency-plans"),
                                            plan.unit_path)
    return out


@register.simple_tag(takes_context=True)
def drill_panel(context, drill) -> dict[str, Any]:
    user = context["request"].user
    hazards = services.drill_hazards(drill)
    problems = [(i, p, hazards.get(p[:200])) for i, p in enumerate(drill.problem_list)]
    return {"problems": problems,
            "may_hazard": permissions.allowed(user, "add", registry.get("hazards"),
                                              drill.unit_path),
            "may_revise": drill.plan_id is not None and drill.plan.status == PlanStatus.APPROVED
            and permissions.allowed(user, "change", registry.get("emergency-plans"),
                                    drill.unit_path)}
