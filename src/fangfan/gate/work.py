"""The work the gate gives each day: visitors expected today for the guard (a panel of
the guard's phone home with the check-in buttons, and work items), visits waiting for
their host's confirmation, and visits to key locations waiting for approval."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.scoping import subtree_q
from fangfan.core.work import SOURCE_LIMIT, TODAY, WorkContext, WorkItem, panel, source
from fangfan.gate import services
from fangfan.gate.models import OPEN_STATUSES, DocumentType, Visit, VisitStatus
from fangfan.gate.shown import shown

PANEL_LIMIT = 20


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _gate_roots(user) -> list[str]:
    """The subtrees where the user works the gate (guards, unit administrators)."""
    return [path for role, path in permissions.grants(user) if role in services.GATE_ROLES]


def todays_visits(user, paths: list[str]) -> list[Visit]:
    """Visits expected today that are not over, and visitors still inside, in the units
    where `user` works the gate, earliest first: one query."""
    roots = [p for p in _gate_roots(user) if any(p.startswith(x) or x.startswith(p)
                                                 for x in paths)]
    if not roots and not getattr(user, "is_superuser", False):
        return []
    start, end = _day_bounds(timezone.localdate())
    scope = subtree_q("unit_path", roots) if roots else Q()
    narrow = subtree_q("unit_path", paths) if paths else Q()
    return list(Visit.objects.filter(scope, narrow).filter(
        Q(expected_at__gte=start, expected_at__lt=end, status__in=OPEN_STATUSES)
        | Q(status=VisitStatus.CHECKED_IN)).select_related("host", "destination")
        .order_by("expected_at")[:PANEL_LIMIT])


def _register(fn):
    """A personal panel where core has them (the guard's phone home), else an authority
    panel (which returns None above a school)."""
    try:
        return panel(personal=True)(fn)
    except TypeError:
        return panel(fn)


def visitors_panel(request, unit) -> str | None:
    """"Visitors expected today" with their check-in and check-out buttons."""
    if unit is not None and getattr(unit, "has_children", False):
        return None
    paths = [unit.path] if unit is not None else permissions.unit_roots(request.user)
    visits = todays_visits(request.user, paths)
    if not visits and not _gate_roots(request.user):
        return None
    rows = [{"visit": v, "name": shown(request.user, v, "visitor_name"),
             "awaiting_approval": v.needs_approval and not v.approved} for v in visits]
    return render_to_string("gate/visitors_panel.html", {
        "rows": rows, "documents": DocumentType.choices, "S": VisitStatus},
        request=request)


_register(visitors_panel)


@source
def visitors_to_check_in(ctx: WorkContext) -> Iterator[WorkItem]:
    """Confirmed visits expected today, for those who work the gate."""
    if not any(role in services.GATE_ROLES for role, _p in permissions.grants(ctx.user)):
        return
    qs = ctx.scoped("visits")
    if qs is None:
        return
    start, end = _day_bounds(ctx.today)
    for v in qs.filter(status=VisitStatus.CONFIRMED, expected_at__gte=start,
                       expected_at__lt=end).select_related("unit", "host").order_by(
            "expected_at")[:SOURCE_LIMIT]:
        yield WorkItem(title=_("Visitor expected at %(time)s, for %(host)s") % {
            "time": f"{timezone.localtime(v.expected_at):%H:%M}", "host": v.host},
            url=v.get_absolute_url(), action=_("Check in"), unit=v.unit.name,
            due=v.expected_at, bucket=TODAY)


@source
def visits_to_confirm(ctx: WorkContext) -> Iterator[WorkItem]:
    """Appointments waiting for their host: the signed-in person's own visitors."""
    person = getattr(ctx.user, "person", None)
    qs = ctx.scoped("visits")
    if person is None or qs is None:
        return
    for v in qs.filter(status=VisitStatus.APPOINTMENT, host_id=person.pk,
                       expected_at__gte=ctx.now - dt.timedelta(hours=1)).select_related(
            "unit").order_by("expected_at")[:SOURCE_LIMIT]:
        yield WorkItem(title=_("Confirm a visit: %(purpose)s") % {"purpose": v.purpose},
                       url=v.get_absolute_url(), action=_("Confirm"), unit=v.unit.name,
                       due=v.expected_at)


@source
def visits_to_approve(ctx: WorkContext) -> Iterator[WorkItem]:
    """Visits to a key location waiting for the approval of its head."""
    roots = [p for role, p in permissions.grants(ctx.user) if role in services.APPROVERS]
    if not roots or not permissions.allowed(ctx.user, "view", registry.get("visits")):
        return
    qs = ctx.scoped("visits")
    if qs is None:
        return
    for v in qs.filter(subtree_q("unit_path", roots), status__in=OPEN_STATUSES,
                       destination__is_key=True, approved=False,
                       expected_at__gte=ctx.now - dt.timedelta(hours=1)).select_related(
            "unit", "destination").order_by("expected_at")[:SOURCE_LIMIT]:
        yield WorkItem(title=_("Approve a visit to %(place)s: %(purpose)s") % {
            "place": v.destination, "purpose": v.purpose}, url=v.get_absolute_url(),
            action=_("Approve"), unit=v.unit.name, due=v.expected_at)


