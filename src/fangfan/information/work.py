"""The work information gives each day (home pages): follow-up tasks of meetings by
their deadline — for the owner's unit and, when the owner signs in, for the owner — and
the reporting windows a unit has still to answer."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.notify import notify_unit_leads, send
from fangfan.core.work import SOURCE_LIMIT, WorkContext, WorkItem, panel, source
from fangfan.information.models import FollowUpTask, ReportingWindow
from fangfan.information.reporting import AUTHORITY_KINDS

# An owner is reminded this many days before a task's deadline (and once, late).
TASK_REMIND_DAYS = 3


def _task_item(ctx: WorkContext, task: FollowUpTask) -> WorkItem:
    mine = getattr(task.owner, "user_id", None) == ctx.user.pk
    item = ctx.item("follow-up-tasks", task, _("Close with a note"), title=task.what,
                    due=task.deadline, detail=(_("Yours") if mine else task.owner.name))
    return item


@source
def follow_up_tasks(ctx: WorkContext) -> Iterator[WorkItem]:
    """Open tasks of the units in focus, and the user's own open tasks wherever they
    are (the owner signs in with the account linked to the person)."""
    seen = set()
    for task in ctx.due("follow-up-tasks", "deadline", "owner", closed_on__isnull=True):
        seen.add(task.pk)
        yield _task_item(ctx, task)
    own = FollowUpTask.objects.filter(owner__user=ctx.user, closed_on__isnull=True,
                                      deadline__lte=ctx.horizon).exclude(pk__in=seen) \
        .select_related("unit", "owner").order_by("deadline")[:SOURCE_LIMIT]
    rt = registry.get("follow-up-tasks")
    for task in own:
        if permissions.allowed(ctx.user, "view", rt, task.unit_path):
            yield _task_item(ctx, task)


@source
def windows_to_answer(ctx: WorkContext) -> Iterator[WorkItem]:
    """Windows open now, published at or above the units in focus, that a unit in focus
    the user may submit for has not answered yet."""
    rt = registry.get("submissions")
    if not permissions.allowed(ctx.user, "add", rt) or not ctx.paths:
        return
    from fangfan.core.models import Unit

    units = [u for u in Unit.objects.filter(path__in=ctx.paths).exclude(
        kind__in=AUTHORITY_KINDS) if permissions.allowed(ctx.user, "add", rt, u.path)]
    if not units:
        return
    today = timezone.localdate()
    above = Q()
    for u in units:
        above |= Q(unit_path__in=_ancestors(u.path))
    windows = ReportingWindow.objects.filter(above, opens_on__lte=today,
                                             deadline__gte=today - dt.timedelta(days=7)) \
        .select_related("unit").prefetch_related("submissions")[:SOURCE_LIMIT]
    for window in windows:
        done = {s.unit_id for s in window.submissions.all()}
        for u in units:
            if u.pk in done or not u.path.startswith(window.unit_path) or \
                    u.path == window.unit_path:
                continue
            yield WorkItem(title=window.title, due=window.deadline, unit=u.name,
                           detail=window.unit.name, action=_("Fill in the report"),
                           url=reverse("information-window-fill", args=[window.pk])
                           + f"?unit={u.code}")


def _ancestors(path: str) -> list[str]:
    from fangfan.core.models.units import PATH_SEGMENT_WIDTH

    return [path[:i] for i in range(PATH_SEGMENT_WIDTH, len(path), PATH_SEGMENT_WIDTH)]


def remind_tasks(today: dt.date | None = None) -> int:
    """Remind the owner (by the linked account) and the unit's leads of each open task
    due within TASK_REMIND_DAYS or overdue, once per task: claimed by an UPDATE first."""
    today = today or timezone.localdate()
    due = FollowUpTask.objects.filter(
        closed_on__isnull=True, reminded_on__isnull=True,
        deadline__lte=today + dt.timedelta(days=TASK_REMIND_DAYS)).select_related("owner")
    sent = 0
    for task in due:
        if not FollowUpTask.objects.filter(pk=task.pk, reminded_on__isnull=True).update(
                reminded_on=today):
            continue
        title = (_("Overdue task: %(what)s") if task.deadline < today
                 else _("Task due %(date)s: %(what)s")) % {"what": task.what,
                                                           "date": task.deadline}
        link = task.get_absolute_url()
        owner_user = getattr(task.owner, "user_id", None)
        if owner_user:
            send([owner_user], title, "", link, unit_path=task.unit_path)
        notify_unit_leads(task.unit_id, task.unit_path, title, "", link)
        sent += 1
    return sent



@panel
def statistics_panel(request, unit) -> str | None:
    """An authority's home offers the annex-4 statistics table of its subtree, and the
    reporting windows it opened that are still running, with their roll-ups."""
    from django.utils.html import format_html, format_html_join

    if not permissions.allowed(request.user, "view", registry.get("submissions"),
                               unit.path):
        return None
    if not unit.children.exists():
        return None
    today = timezone.localdate()
    windows = ReportingWindow.objects.filter(
        unit=unit, deadline__gte=today - dt.timedelta(days=30)).order_by("deadline")[:5]
    links = format_html_join("", '<a class="btn" href="{}">{} · {}</a>', (
        (reverse("information-window-roll-up", args=[w.pk]), w.title, w.deadline)
        for w in windows))
    return format_html(
        '<h3 class="mb-2">{}</h3><div class="btn-list mb-3" data-testid="statistics-panel">'
        '<a class="btn btn-primary" data-testid="annex4" href="{}">{}</a>{}</div>',
        _("Statistics and reports"), reverse("information-annex4-unit", args=[unit.code]),
        _("Statistics table of school security work (.xlsx)"), links)
