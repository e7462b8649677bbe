"""What a reporting window's page offers the reader: fill it in for the reader's units
it asks, or (an authority) see who has submitted and the totals."""
from __future__ import annotations

from django import template

from fangfan.core import permissions, registry
from fangfan.information import reporting

register = template.Library()


@register.simple_tag(takes_context=True)
def window_links(context, window) -> dict:
    user = context["request"].user
    submissions = registry.get("submissions")
    fill = []
    if permissions.allowed(user, "add", submissions):
        fill = [u for u in reporting.asked_units(window)[:200]
                if permissions.allowed(user, "add", submissions, u.path)]
    return {"fill": fill[:20], "roll_up": permissions.allowed(
        user, "view", submissions, window.unit_path)}
