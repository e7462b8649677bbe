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


@register.simple_tag(takes_context=True)
def training_of(context, person) -> dict | None:
    """A person's training hours this year (one query), for readers of the sessions."""
    from django.utils import timezone

    from fangfan.information.facts import hours_this_year
    from fangfan.resources.models import Person

    user = context["request"].user
    if not permissions.allowed(user, "view", registry.get("training-sessions"),
                               person.unit_path):
        return None
    hours = Person.objects.filter(pk=person.pk).annotate(h=hours_this_year()) \
        .values_list("h", flat=True).first()
    return {"hours": hours or 0, "year": timezone.localdate().year}
