"""What a handover's page shows beyond its fields: the open matters carried over."""
from __future__ import annotations

from django import template

from fangfan.core import permissions, registry

register = template.Library()


@register.simple_tag(takes_context=True)
def handover_panel(context, handover) -> dict:
    user = context["request"].user
    return {"carried": list(handover.carried_items()),
            "may_close": permissions.allowed(user, "change", registry.get("handover-items"),
                                             handover.unit_path)}
