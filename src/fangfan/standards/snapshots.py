"""Daily compliance snapshots of every authority for the trend charts, taken from the
tallies the engine keeps (tallies.py)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fangfan.core.models import Unit
from fangfan.standards.models import ComplianceSnapshot, Requirement, Tally


def take(day: dt.date | None = None) -> int:
    """Replace the day's snapshots with the authorities' current tallies. Returns rows
    written."""
    day = day or timezone.localdate()
    category = dict(Requirement.objects.values_list("pk", "category"))
    rows: dict[tuple[int, str], ComplianceSnapshot] = {}
    for t in Tally.objects.exclude(key__startswith="four:").exclude(n=0).iterator(2000):
        for cat in (category.get(int(t.key)), ""):
            if cat is None:
                continue
            snap = rows.setdefault((t.unit_id, cat), ComplianceSnapshot(
                unit_id=t.unit_id, unit_path=t.unit_path, day=day, category=cat))
            setattr(snap, t.status, getattr(snap, t.status) + t.n)
    with transaction.atomic():
        ComplianceSnapshot.objects.filter(day=day).delete()
        ComplianceSnapshot.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)


def trend(unit: Unit, days: int = 90) -> list[dict]:
    since = timezone.localdate() - dt.timedelta(days=days)
    return [{"day": s.day.isoformat(), "rate": s.rate}
            for s in ComplianceSnapshot.objects.filter(unit=unit, category="",
                                                       day__gte=since).order_by("day")]
