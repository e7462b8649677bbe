"""Template helpers of the generic record lists."""
from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def active_filters(form) -> int:
    """How many filters the user has set (the unit scope from the switcher is not one):
    on a phone the list names the count on its filter button and opens the filters."""
    return sum(1 for field in form if field.name != "within" and field.value()
               not in (None, "", [], "unknown"))
