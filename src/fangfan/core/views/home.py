"""Home page, unit switcher, language switch."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangfan.core import permissions, registry, work
from fangfan.core.models import AuditEntry, Notification, Unit
from fangfan.core.scoping import subtree_q


def visible_units(user):
    return Unit.objects.filter(permissions.restrict(user, "view", registry.get("units")))


@login_required
def home(request):
    """The role's work (issue 8). A school's people see what is overdue and due, the gaps
    to fix and quick actions; an authority sees its subtree's gap matrix first. The
    record counts that used to be the home page come last, folded."""
    authority, units = _focus(request)
    ctx = work.WorkContext(request.user, [u.path for u in units], own=authority is not None)
    sections = work.items_for(ctx)
    notices = list(Notification.objects.filter(user=request.user, read_at__isnull=True)[:5])
    recent = AuditEntry.objects.none()
    if permissions.can_read_audit(request.user):
        recent = AuditEntry.objects.filter(permissions.audit_q(request.user))[:10]
    return render(request, "core/home.html", {
        "authority": authority, "units": units, "sections": _labelled(sections),
        "has_work": any(sections.values()), "notices": notices,
        "panels": work.panels_for(request, authority) if authority else [],
        "personal_panels": work.personal_panels_for(
            request, authority or (units[0] if len(units) == 1 else None)),
        "quick_actions": work.quick_actions(request.user, units[0].path if units else None),
        "recent": recent, "many_units": authority is not None or len(units) > 1,
    })


@login_required
def home_counts(request):
    """The record counts of the units in focus, loaded when their fold is opened: over a
    province they are a count per record type, which the day's work should not wait for."""
    _authority, units = _focus(request)
    cards = [{"unit": u, "counts": _counts(request.user, u), **_compliance(request.user, u)}
             for u in units]
    return render(request, "core/home_counts.html", {"cards": cards})


def _focus(request) -> tuple[Unit | None, list[Unit]]:
    """The units the home page is about: the current unit (the switcher's), else the
    roots of the user's roles. The first of them with units below it makes the page an
    authority's, about that unit alone."""
    below = Exists(Unit.objects.filter(parent=OuterRef("pk")))
    units: list[Unit] = []
    if current := request.session.get("unit"):
        units = list(visible_units(request.user).filter(code=current)
                     .annotate(has_children=below))
    if not units:
        qs = (Unit.objects.filter(parent=None) if request.user.is_superuser
              else Unit.objects.filter(path__in=permissions.unit_roots(request.user)))
        units = list(qs.annotate(has_children=below).order_by("path")[:20])
    authority = next((u for u in units if u.has_children), None)
    return authority, [authority] if authority else units


def _labelled(sections: dict[str, list]) -> list[dict]:
    """Sections in the order of urgency, with their titles, empty ones left out."""
    titles = {work.OVERDUE: _("Overdue"), work.TODAY: _("Due today"),
              work.WEEK: _("Due this week"), work.GAP: _("Gaps to fix"),
              work.SOON: _("Due within 30 days")}
    return [{"key": key, "title": titles[key], "items": items[:work.SECTION_LIMIT],
             "more": max(0, len(items) - work.SECTION_LIMIT)}
            for key, items in sections.items() if items]


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
        return redirect(next_url(request, "home"))
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
    response = redirect(next_url(request, "home"))
    from django.conf import settings

    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax",
                        secure=request.is_secure(), httponly=True)
    return response


def _languages():
    from django.conf import settings

    return settings.LANGUAGES


def next_url(request, default: str) -> str:
    """The `next` page asked for, if it is on this site, else the `default` view's."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return nxt
    from django.urls import reverse

    return reverse(default)


__all__ = ["home", "home_counts", "next_url", "set_language", "subtree_q", "switch_unit"]
