"""The day's work of a role's home page (issue 8): what is overdue, due today, due this
week, and the gaps to fix, each with the action that resolves it.

Each domain app contributes a *source* of work items over its own records (registered
like record types, in its `ready()`); the home page asks every source for the units in
focus. A source sees only what the user may see: it reads through `WorkContext.scoped`,
which applies the same scoping as the lists, so a guard's home shows a guard's work.
Core knows no domain app: it only calls the sources it was given."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangfan.core import permissions, registry
from fangfan.core.scoping import subtree_q

OVERDUE, TODAY, WEEK, SOON, GAP = "overdue", "today", "week", "soon", "gap"
SECTIONS = (OVERDUE, TODAY, WEEK, GAP, SOON)
# How far ahead "this week" looks: the coming seven days, whatever the weekday; "soon"
# is the month in which a licence or a re-check must be renewed.
WEEK_AHEAD = dt.timedelta(days=7)
SOON_AHEAD = dt.timedelta(days=30)
# A section shows this many items and how many more; a source reads at most
# SOURCE_LIMIT records, whatever the subtree holds.
SECTION_LIMIT = 12
SOURCE_LIMIT = 50


@dataclass
class WorkItem:
    """One thing to do: a sentence, where it is, when it is due, the action resolving it."""

    title: str
    url: str
    action: str
    due: dt.date | dt.datetime | None = None
    detail: str = ""
    unit: str = ""
    # Set by sources whose items are not dated (a compliance gap); dated items are
    # bucketed by `due`.
    bucket: str = ""
    # Filled by items_for: when it is due, said in words ("overdue 3 days").
    when: str = ""

    def section(self, today: dt.date, now: dt.datetime) -> str | None:
        """Overdue, today, this week or soon; None beyond (it is not today's work)."""
        if self.bucket:
            return self.bucket
        if self.due is None:
            return None
        if isinstance(self.due, dt.datetime):
            if self.due < now:
                return OVERDUE
            day = timezone.localdate(self.due)
        elif self.due < today:
            return OVERDUE
        else:
            day = self.due
        if day == today:
            return TODAY
        if day <= today + WEEK_AHEAD:
            return WEEK
        return SOON if day <= today + SOON_AHEAD else None


@dataclass
class WorkContext:
    """What a source needs: who asks, about which subtrees, and when."""

    user: Any
    paths: list[str]
    # Only the focus units' own records, not their subtrees' (an authority's own work).
    own: bool = False
    today: dt.date = field(default_factory=timezone.localdate)
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def horizon(self) -> dt.date:
        """The last day whose work the home page shows."""
        return self.today + SOON_AHEAD

    def scoped(self, slug: str) -> QuerySet | None:
        """Records of a type the user may see within the focus units (None when the user
        may not see the type at all, so a source costs no query)."""
        rt = registry.get(slug)
        if not permissions.allowed(self.user, "view", rt):
            return None
        qs = rt.model.objects.filter(permissions.restrict(self.user, "view", rt))
        if self.own:
            return qs.filter(**{f"{rt.path_field}__in": self.paths})
        return qs.filter(subtree_q(rt.path_field, self.paths))

    def due(self, slug: str, field: str, *related: str, **where: Any) -> list:
        """The user's records of a type whose date `field` falls by the horizon (or has
        passed), most urgent first, with the unit and the `related` records a sentence
        names: what most sources need, in one query."""
        qs = self.scoped(slug)
        if qs is None:
            return []
        bound: dt.date | dt.datetime = self.horizon
        if "__" not in field and isinstance(qs.model._meta.get_field(field),
                                            models.DateTimeField):
            bound = timezone.make_aware(dt.datetime.combine(self.horizon, dt.time.max))
        return list(qs.filter(**{f"{field}__lte": bound}, **where)
                    .select_related("unit", *related).order_by(field)[:SOURCE_LIMIT])

    def item(self, slug: str, obj, action: str, **fields: Any) -> WorkItem:
        """A work item about a record of its unit: the record's edit page under the
        action's name when the user may change it, else its page ("Open"), so nobody is
        offered a button that ends in a refusal."""
        if permissions.allowed(self.user, "change", registry.get(slug), obj.unit_path):
            view = "edit"
        else:
            view, action = "detail", _("Open")
        return WorkItem(url=reverse(f"records:{slug}-{view}", args=[obj.pk]), action=action,
                        unit=obj.unit.name, **fields)


Source = Callable[[WorkContext], Iterable[WorkItem]]
_sources: list[Source] = []


def source(fn: Source) -> Source:
    """Register a source of work items (a decorator, used in the apps' work modules)."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


# A panel is a block of an authority's home page contributed by an app (the gap matrix):
# given the request and the authority unit, the HTML to show, or None.
Panel = Callable[[Any, Any], str | None]
_panels: list[Panel] = []
# A personal panel is about the signed-in person, on everyone's home page and first
# (today's shift of a guard): given the request and the unit in focus (None for a user
# of many units), the HTML to show, or None.
_personal_panels: list[Panel] = []


def panel(fn: Panel | None = None, *, personal: bool = False):
    """Register a panel of the authority's home page (a decorator); `@panel(personal=
    True)`: a panel about the signed-in person, shown first on every home page."""
    def register(f: Panel) -> Panel:
        target = _personal_panels if personal else _panels
        if f not in target:
            target.append(f)
        return f

    return register(fn) if fn is not None else register


def panels_for(request, unit) -> list[str]:
    return [html for fn in _panels if (html := fn(request, unit))]


def personal_panels_for(request, unit) -> list[str]:
    return [html for fn in _personal_panels if (html := fn(request, unit))]


def items_for(ctx: WorkContext) -> dict[str, list[WorkItem]]:
    """Every source's items, by section, most urgent first."""
    sections: dict[str, list[WorkItem]] = {key: [] for key in SECTIONS}
    for fn in _sources:
        for item in fn(ctx):
            key = item.section(ctx.today, ctx.now)
            if key in sections:
                item.when = describe_due(item.due, ctx)
                sections[key].append(item)
    for items in sections.values():
        items.sort(key=lambda i: (_sort_key(i.due), i.title))
    return sections


def describe_due(due: dt.date | dt.datetime | None, ctx: WorkContext) -> str:
    """When something is due, in words: hours for a clock (a fault), else days."""
    if due is None:
        return ""
    if isinstance(due, dt.datetime):
        hours = int(abs((due - ctx.now).total_seconds()) // 3600)
        if due < ctx.now:
            return ngettext("overdue %(n)d hour", "overdue %(n)d hours", hours) % {"n": hours}
        return ngettext("%(n)d hour left", "%(n)d hours left", hours) % {"n": hours}
    days = (due - ctx.today).days
    if days < 0:
        return ngettext("overdue %(n)d day", "overdue %(n)d days", -days) % {"n": -days}
    if days == 0:
        return _("due today")
    return ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}


def _sort_key(due: dt.date | dt.datetime | None) -> dt.datetime:
    if due is None:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    if isinstance(due, dt.datetime):
        return due
    return dt.datetime.combine(due, dt.time.min, tzinfo=timezone.get_current_timezone())


def quick_actions(user, unit_path: str | None) -> list[dict]:
    """The record types declaring a quick action that the user may add here."""
    out = []
    has_below = None
    for rt in registry.record_types():
        if rt.quick_action and permissions.allowed(user, "add", rt, unit_path):
            if rt.quick_action_above:
                if has_below is None:
                    has_below = _has_units_below(unit_path)
                if not has_below:
                    continue
            out.append({"label": rt.quick_action, "url_name": rt.add_url_name,
                        "urgent": rt.quick_action_urgent})
    return sorted(out, key=lambda a: not a["urgent"])


def _has_units_below(unit_path: str | None) -> bool:
    """Does the unit at `unit_path` have units below it (is it an authority)? With no
    unit in focus (a user of many units), the question is the user's roots'."""
    from fangfan.core.models import Unit

    if unit_path is None:
        return True
    return Unit.objects.filter(path__startswith=unit_path).exclude(path=unit_path).exists()
