"""Home page, unit switcher, language switch."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fangfan.core import permissions, registry
from fangfan.core.models import AuditEntry, Unit
from fangfan.core.scoping import subtree_q


def visible_units(user):
    return Unit.objects.filter(permissions.restrict(user, "view", registry.get("units")))


@login_required
def home(request):
    """The user's units with real counts of what they hold, and recent changes."""
    if request.user.is_superuser:
        roots = list(Unit.objects.filter(parent=None))
    else:
        roots = list(Unit.objects.filter(path__in=permissions.unit_roots(request.user)))
    current = request.session.get("unit")
    if current:
        roots = [u for u in visible_units(request.user).filter(code=current)] or roots
    cards = [{"unit": u, "counts": _counts(request.user, u), **_compliance(request.user, u)}
             for u in roots[:20]]
    recent = AuditEntry.objects.none()
    if permissions.can_read_audit(request.user):
        recent = AuditEntry.objects.filter(permissions.audit_q(request.user))[:10]
    return render(request, "core/home.html", {"cards": cards, "recent": recent})


def _counts(user, unit: Unit) -> list[dict]:
    counts = []
    for rt in registry.record_types():
        if not rt.on_home or not permissions.allowed(user, "view", rt):
            continue
        qs = rt.model.objects.filter(permissions.restrict(user, "view", rt),
                                     subtree_q(rt.path_field, [unit.path]))
        if rt.model is Unit:
            qs = qs.exclude(pk=unit.pk)
        counts.append({"rt": rt, "count": qs.count()})
    return counts


def _compliance(user, unit: Unit) -> dict:
    """Whether the user reads compliance here, and the unit's own open gaps."""
    try:
        rt = registry.get("compliance-results")
    except KeyError:
        return {}
    if not permissions.allowed(user, "view", rt, unit.path):
        return {"compliance": False}
    gaps = rt.model.objects.filter(unit=unit, status="unmet").count()
    return {"compliance": True, "gaps": gaps}


@login_required
def switch_unit(request):
    """GET: search the units one may switch to. POST: make one current (or clear)."""
    if request.method == "POST":
        code = request.POST.get("unit", "")
        if code and not visible_units(request.user).filter(code=code).exists():
            raise Http404
        request.session["unit"] = code or None
        return redirect(_next(request, "home"))
    qs = visible_units(request.user)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    page = Paginator(qs.order_by("path"), 30).get_page(request.GET.get("page"))
    return render(request, "core/switch_unit.html", {"page": page, "q": q})


@require_POST
def set_language(request):
    """Remember the language on the user (and in a cookie for the login page)."""
    lang = request.POST.get("language", "")
    if lang not in dict(_languages()):
        lang = "zh-hans"
    if request.user.is_authenticated:
        request.user.language = lang
        request.user.save(update_fields=["language"])
    translation.activate(lang)
    response = redirect(_next(request, "home"))
    from django.conf import settings

    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax",
                        secure=request.is_secure(), httponly=True)
    return response


def _languages():
    from django.conf import settings

    return settings.LANGUAGES


def _next(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return nxt
    from django.urls import reverse

    return reverse(default)


__all__ = ["home", "set_language", "subtree_q", "switch_unit"]
