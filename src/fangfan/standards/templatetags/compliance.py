"""A compliance result explained in words (issue 8): the requirement by its short title and
text, which records are missing and the facts it was based on as "what: value" lines,
never fact names or raw JSON."""
from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from fangfan.standards.facts import FACTS, describe
from fangfan.standards.models import Result, localized
from fangfan.standards.reasons import missing_records

register = template.Library()


@register.filter
def localized_text(texts: dict) -> str:
    """A pack text ({"zh-hans": …, "en": …}) in the reader's language."""
    return localized(texts or {})


@register.inclusion_tag("standards/result_explanation.html", takes_context=True)
def result_explanation(context, result: Result) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"req": result.requirement, "text": localized(result.requirement.text),
            "remedy": localized(result.requirement.remedy),
            "missing": missing_records(result.missing_facts, user, result.unit),
            "facts": [(describe(name), fact_value(name, value))
                      for name, value in sorted((result.facts or {}).items())
                      if name in FACTS]}


def fact_value(name: str, value: Any) -> str:
    """A fact's value as words and plain numbers."""
    if value is None:
        return _("not recorded yet")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if FACTS[name].kind == "float":
        return floatformat(value, "-2")
    return str(value)


@register.filter
def fulfilled_url(obligation, user) -> str:
    """The page of the record that fulfilled an obligation, if the reader may open it."""
    return obligation.fulfilled_by_url_for(user)
