"""What every page's shell needs: navigation by SPEC area, the unit switcher."""
from django.conf import settings

from fangfan.core import permissions, registry
from fangfan.core.models import Unit
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
    }


def navigation(user) -> list[dict]:
    areas = []
    for key, label in settings.FANGFAN_AREAS:
        items = [rt for rt in registry.record_types()
                 if rt.area == key and permissions.allowed(user, "view", rt)]
        if items:
            areas.append({"key": key, "label": label, "items": items})
    return areas


def current_unit(request) -> Unit | None:
    code = request.session.get("unit")
    return Unit.objects.filter(code=code).first() if code else None
