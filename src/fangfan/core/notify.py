"""In-app notifications to the people answerable for a unit (SPEC X-6)."""
from __future__ import annotations

from fangfan.core.models import Notification, RoleGrant

LEADS = ["unit_admin", "principal"]


def notify_unit_leads(unit_id: int, unit_path: str, title: str, body: str = "",
                      link: str = "") -> int:
    """One notification to each administrator and principal granted on the unit itself."""
    users = set(RoleGrant.objects.filter(unit_id=unit_id, role__in=LEADS)
                .values_list("user_id", flat=True))
    Notification.objects.bulk_create([
        Notification(user_id=u, unit_path=unit_path, title=title[:200], body=body, link=link)
        for u in users])
    return len(users)
