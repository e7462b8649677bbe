"""The items of an inspection for its page, in two queries whatever their number."""
from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Min

from fangfan.core import permissions, registry
from fangfan.core.models import Attachment
from fangfan.inspections.models import Finding, Inspection, ItemResult

register = template.Library()


@register.simple_tag(takes_context=True)
def inspection_items(context, inspection: Inspection) -> list[dict[str, Any]]:
    user = context["request"].user
    can_change = not inspection.completed_on and permissions.allowed(
        user, "change", registry.get("findings"), inspection.unit_path)
    findings = list(Finding.objects.filter(inspection=inspection)
                    .select_related("inspection")
                    .annotate(hazard_count=Count("hazards"), hazard_id=Min("hazards"))
                    .order_by("number"))
    photos = dict(Attachment.objects.filter(
        record_type=Finding._meta.label_lower,
        record_id__in=[str(f.pk) for f in findings]).values("record_id")
        .annotate(n=Count("id")).values_list("record_id", "n"))
    return [{"finding": f, "can_change": can_change, "photos": photos.get(str(f.pk), 0)}
            for f in findings]


@register.simple_tag
def result_choices() -> list[tuple[str, str]]:
    """The results an inspector gives (not "not checked yet")."""
    return [(v, label) for v, label in ItemResult.choices if v != ItemResult.OPEN]
