"""Who has read a notice, for its page: the units below the notice's unit that the reader
oversees, read (at least one of their people opened it) and not read, counted in SQL and
listed a page at a time, so a province's thousands of units cost four queries."""
from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Exists, Min, OuterRef

from fangfan.core import permissions, registry
from fangfan.core.models import Unit
from fangfan.core.scoping import in_subtree, subtree_q
from fangfan.inspections.notices import Notice, NoticeReceipt

register = template.Library()

PAGE = 50


def receipt_units(user, notice: Notice):
    """The units whose receipts `user` sees, or None: the whole subtree below the
    notice's unit for the publishing authority's people (and those above it); for the
    people of an authority further down, their own subtree; nobody else (a school's
    people see no one's receipts)."""
    units = Unit.objects.filter(subtree_q("path", [notice.unit_path])).exclude(
        pk=notice.unit_id)
    if getattr(user, "is_superuser", False) and user.is_active:
        return units
    roots = permissions.scope_roots(user, "view", registry.get("notices"))
    if in_subtree(notice.unit_path, roots):
        return units
    below = [r for r in roots if r.startswith(notice.unit_path) and r != notice.unit_path]
    if not below or not Unit.objects.filter(parent__path__in=below).exists():
        return None
    return units.filter(subtree_q("path", below))


def receipts(user, notice: Notice, page: int = 1) -> dict[str, Any] | None:
    units = receipt_units(user, notice)
    if units is None:
        return None
    read = Exists(NoticeReceipt.objects.filter(notice=notice, unit=OuterRef("pk")))
    total = units.count()
    read_count = units.filter(read).count()
    unread_count = total - read_count
    page = max(1, min(page, (unread_count - 1) // PAGE + 1 if unread_count else 1))
    start = (page - 1) * PAGE
    unread = list(units.exclude(read).order_by("path").values("name", "code")
                  [start:start + PAGE])
    first_reads = list(NoticeReceipt.objects.filter(notice=notice, unit__in=units)
                       .values("unit__name").annotate(first=Min("read_at"))
                       .order_by("unit__path")[:PAGE])
    return {"total": total, "read_count": read_count, "unread_count": unread_count,
            "unread": unread, "page": page, "start": start,
            "more": max(0, unread_count - start - len(unread)),
            "next": page + 1 if unread_count > start + PAGE else None,
            "previous": page - 1 if page > 1 else None,
            "read": first_reads, "more_read": max(0, read_count - len(first_reads))}


@register.simple_tag(takes_context=True)
def notice_receipts(context, notice: Notice) -> dict[str, Any] | None:
    request = context["request"]
    try:
        page = int(request.GET.get("unread", 1))
    except ValueError:
        page = 1
    return receipts(request.user, notice, page)
