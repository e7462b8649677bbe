"""What every page's shell needs: navigation by SPEC area, the unit switcher."""
from django.conf import settings
from django.utils.module_loading import import_string

from fangfan.core import permissions, registry
from fangfan.core.models import Notification, Unit
from fangfan.core.scoping import minimal_roots


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_areas": navigation(user),
        "my_units": Unit.objects.filter(path__in=minimal_roots(
            p for _, p in permissions.grants(user))) if not user.is_superuser
        else Unit.objects.filter(parent=None),
        "current_unit": current_unit(request),
        "can_read_audit": permissions.can_read_audit(user),
        "unread_notifications": Notification.objects.filter(user=user,
                                                            read_at__isnull=True).count(),
    }


def navigation(user) -> list[dict]:
    """Areas of SPEC with the pages the user may open: an area's own pages (declared in
    settings.FANGFAN_AREA_PAGES with the record type whose view right they need), then
    its record types."""
    areas = []
    for key, label in settings.FANGFAN_AREAS:
        pages = [(url, text) for url, text, needs in settings.FANGFAN_AREA_PAGES.get(key, [])
                 if _may_view(user, needs)]
        items = [rt for rt in registry.record_types()
                 if rt.area == key and permissions.allowed(user, "view", rt)]
        if items or pages:
            areas.append({"key": key, "label": label, "items": items, "pages": pages})
    return areas


def _may_view(user, slug: str) -> bool:
    """`slug` names a record type to view, or (dotted) a function deciding for the user."""
    if "." in slug:
        return import_string(slug)(user)
    try:
        return permissions.allowed(user, "view", registry.get(slug))
    except KeyError:
        return False


def current_unit(request) -> Unit | None:
    code = request.session.get("unit")
    return Unit.objects.filter(code=code).first() if code else None
