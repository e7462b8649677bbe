"""What a visit's page offers the person looking at it: only the steps they may take."""
from __future__ import annotations

from django import template

from fangfan.gate import services
from fangfan.gate.models import OPEN_STATUSES, DocumentType, VisitStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def visit_steps(context, visit) -> dict:
    user = context["request"].user
    status = visit.status
    open_ = status in OPEN_STATUSES
    gate = services.may_work_gate(user, visit)
    return {
        "confirm": status == VisitStatus.APPOINTMENT and services.may_confirm(user, visit),
        "approve": open_ and visit.needs_approval and not visit.approved
        and services.may_approve(user, visit),
        "awaiting_approval": open_ and visit.needs_approval and not visit.approved,
        "check_in": status == VisitStatus.CONFIRMED and gate,
        "check_out": status == VisitStatus.CHECKED_IN and gate,
        "cancel": open_ and (services.may_confirm(user, visit) or gate),
        "pass": status == VisitStatus.CHECKED_IN,
        "warning": visit.watch_match and status == VisitStatus.CHECKED_IN,
        "documents": DocumentType.choices,
    }
