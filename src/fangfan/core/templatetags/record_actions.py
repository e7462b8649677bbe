"""The actions a record's page offers (`RecordType.actions`): add a record of another
type prefilled with this one, e.g. report a fault of this asset."""
from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry, services
from fangfan.core.registry import Action, RecordType

register = template.Library()


@register.simple_tag(takes_context=True)
def record_actions(context, rt: RecordType, obj: models.Model) -> list[dict[str, Any]]:
    """The declared actions the user may take on `obj`: allowed to add the other type in
    the record's unit, and the other type's key admits this record (so no button leads to
    a form that would refuse it, e.g. an alarm test of a camera)."""
    user = context["request"].user
    path = services._path_of(obj)
    out = []
    for declared in rt.actions:
        action = declared if isinstance(declared, Action) else Action(*declared)
        child = registry.get(action.slug)
        if action.when is not None and not action.when(obj):
            continue
        where = None if action.own_unit else path
        if not permissions.allowed(user, "add", child, where) or (
                action.key and not _admits(child, action.key, obj)):
            continue
        prefill = {action.key: obj.pk} if action.key else {}
        prefill.update({k: v(obj) if callable(v) else v for k, v in action.prefill.items()})
        if getattr(obj, "unit_id", None) is not None and not action.own_unit:
            prefill["unit"] = obj.unit_id
        out.append({"slug": action.slug,
                    "url": f"{reverse(child.add_url_name)}?{urlencode(prefill)}",
                    "label": _label(child, action.label)})
    return out


def _label(child: RecordType, label: Any) -> str:
    if label:
        return str(label)
    if child.quick_action:
        return str(child.quick_action)
    return _("New %(name)s") % {"name": child.verbose_name}


def _admits(child: RecordType, key: str, obj: models.Model) -> bool:
    limit = child.model._meta.get_field(key).get_limit_choices_to()
    if not limit:
        return True
    return type(obj)._default_manager.filter(pk=obj.pk).complex_filter(limit).exists()
