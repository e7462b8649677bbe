"""The measures of a unit's alert for its checklist page, in two queries (and, at level
I, the queries of the fact the round-the-clock patrols are read from)."""
from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from fangfan.alerts.measures import computed
from fangfan.alerts.models import AlertMeasure, Level, UnitAlert
from fangfan.alerts.services import of_the_unit
from fangfan.core import permissions, registry
from fangfan.core.models import Attachment

register = template.Library()


def can_report(user, unit_alert: UnitAlert) -> bool:
    """Whether the user ticks this unit's measures: one of the unit's own people who may
    change measures, while the level is in force."""
    return (unit_alert.order.in_force() and of_the_unit(user, unit_alert.unit_path)
            and permissions.allowed(user, "change", registry.get("alert-measures"),
                                    unit_alert.unit_path))


@register.simple_tag(takes_context=True)
def alert_checklist(context, unit_alert: UnitAlert) -> dict[str, Any]:
    user = context["request"].user
    measures = list(AlertMeasure.objects.filter(unit_alert=unit_alert)
                    .select_related("unit_alert").order_by("number"))
    photos = dict(Attachment.objects.filter(
        record_type=AlertMeasure._meta.label_lower,
        record_id__in=[str(m.pk) for m in measures]).values("record_id")
        .annotate(n=Count("id")).values_list("record_id", "n"))
    can = can_report(user, unit_alert)
    can_ack = (unit_alert.acknowledged_at is None and unit_alert.order.in_force()
               and of_the_unit(user, unit_alert.unit_path)
               and permissions.allowed(user, "change", registry.get("unit-alerts"),
                                       unit_alert.unit_path))
    from_records = computed(unit_alert, [m.code for m in measures])
    return {"rows": [{"measure": m, "can_change": can, "photos": photos.get(str(m.pk), 0),
                      "computed": from_records.get(m.code)}
                     for m in measures], "can_acknowledge": can_ack}


@register.simple_tag
def other_levels(level: int) -> list[tuple[int, str]]:
    return [(v, label) for v, label in Level.choices if v != level]


@register.simple_tag(takes_context=True)
def alert_live(context, order):
    """The live figures of a level for its page (the first render, then polled)."""
    from fangfan.alerts import live

    request = context["request"]
    return live.build(request.user, order, request.GET)


@register.simple_tag(takes_context=True)
def alert_history(context, order):
    return list(order.changes.select_related("by").order_by("at", "pk"))
