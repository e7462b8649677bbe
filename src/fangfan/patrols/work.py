"""The work patrols give (home pages): the next patrol due, with a big "Start patrol",
first on the home page of whoever patrols; rounds with missed or late checkpoints to
follow up for the unit's administrator and principal."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangfan.core import permissions, registry
from fangfan.core.scoping import subtree_q
from fangfan.core.work import SOURCE_LIMIT, TODAY, WorkContext, WorkItem, panel, source
from fangfan.patrols.models import PatrolRoute

# Rounds older than this are no longer the home page's work (their list keeps them).
FOLLOW_UP_DAYS = 7


@source
def rounds_to_follow_up(ctx: WorkContext) -> Iterator[WorkItem]:
    """Ended rounds of the last week with missed or late checkpoints and no follow-up,
    for those who may write it."""
    rt = registry.get("patrol-rounds")
    qs = ctx.scoped("patrol-rounds")
    if qs is None:
        return
    since = ctx.now - dt.timedelta(days=FOLLOW_UP_DAYS)
    rows = qs.filter(Q(missed__gt=0) | Q(late__gt=0), checked_at__isnull=False,
                     due_at__gte=since, review="").select_related("unit", "route") \
        .order_by("due_at")[:SOURCE_LIMIT]
    for rnd in rows:
        if not permissions.allowed(ctx.user, "change", rt, rnd.unit_path):
            continue
        parts = []
        if rnd.missed:
            parts.append(ngettext("%(n)s checkpoint missed", "%(n)s checkpoints missed",
                                  rnd.missed) % {"n": rnd.missed})
        if rnd.late:
            parts.append(ngettext("%(n)s late", "%(n)s late", rnd.late) % {"n": rnd.late})
        yield ctx.item("patrol-rounds", rnd, _("Follow up"), bucket=TODAY,
                       title=_("Patrol %(route)s at %(time)s: %(what)s") % {
                           "route": rnd.route.name, "what": "，".join(parts),
                           "time": f"{timezone.localtime(rnd.due_at):%m-%d %H:%M}"},
                       detail=_("Find out why and write the follow-up."))


@panel(personal=True)
def next_patrol(request, unit) -> str | None:
    """The next patrol due of the routes the user patrols (adds scans) at the unit in
    focus, with a big "Start patrol" when its round is open."""
    from fangfan.patrols.views import route_states

    user = request.user
    scans = registry.get("patrol-scans")
    if not permissions.allowed(user, "add", scans):
        return None
    routes = PatrolRoute.objects.filter(
        permissions.restrict(user, "add", scans), active=True).select_related("unit")
    if unit is not None:
        routes = routes.filter(subtree_q("unit_path", [unit.path]))
    routes = list(routes.order_by("unit_path", "name")[:20])
    if not routes:
        return None
    states = route_states(routes, timezone.now())
    return render_to_string("patrols/panel.html", {"s": states[0], "more": len(states) - 1},
                            request=request)
