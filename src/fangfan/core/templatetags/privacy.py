"""Personal data in templates (core.privacy): the collection notice every form that
collects it shows, and the permission to see in full on the accounts page."""
from __future__ import annotations

from django import template

from fangfan.core import privacy

register = template.Library()


@register.inclusion_tag("core/privacy_notice.html")
def privacy_notice(rt) -> dict:
    """What is collected, why, on what basis, for how long: `{% privacy_notice rt %}` on
    any form that collects the type's personal data (the generic add form, a public
    self-service form). Nothing for a type without personal data."""
    if rt is None or getattr(rt, "personal_data", None) is None:
        return {"dataset": None}
    return {"dataset": privacy.dataset(rt)}


@register.simple_tag(takes_context=True)
def may_reveal(context, rt) -> bool:
    """Does the page's user hold a permission to see personal data of `rt` in full
    anywhere (the export offers full values then)?"""
    request = context.get("request")
    return bool(privacy.fields_of(rt)) and request is not None and bool(
        privacy.reveal_roots(request.user))


@register.inclusion_tag("core/privacy_grants.html", takes_context=True)
def privacy_grants(context) -> dict:
    """The accounts page's section: who may see personal data in full, where."""
    from fangfan.core.views.privacy import RevealGrantForm, reveal_grants

    request = context["request"]
    return {"request": request, "grants": reveal_grants(request.user)[:200],
            "form": RevealGrantForm(request.user), "csrf_token": context.get("csrf_token")}
