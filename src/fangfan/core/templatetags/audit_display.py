"""Audit entries as people read them, for pages that list a record's history."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django import template

from fangfan.core import audit
from fangfan.core.models import AuditEntry

register = template.Library()


@register.filter
def audit_rows(entries: Iterable[AuditEntry]) -> list[audit.ShownEntry]:
    """`{% with rows=history|audit_rows %}`: type names, labels and related names, looked
    up once for all the entries."""
    return audit.present(entries)


@register.filter
def exact_time(moment: datetime | None) -> str:
    """A time to the second, in the reader's time zone."""
    return audit.exact_time(moment) if moment else ""
