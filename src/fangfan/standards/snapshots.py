"""Daily compliance snapshots of every inner unit (authority) for the trend charts.

For each tree depth one grouped query counts the results under every ancestor at that
depth (grouping on the path prefix), so the whole tree takes a handful of queries."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Length, Substr
from django.utils import timezone

from fangfan.core.models import PATH_WIDTH, Unit
from fangfan.standards.models import ComplianceSnapshot, Result, Status


def take(day: dt.date | None = None) -> int:
    """Replace the day's snapshots with fresh figures. Returns rows written."""
    day = day or timezone.localdate()
    inner = dict(Unit.objects.filter(children__isnull=False).distinct()
                 .values_list("path", "id"))
    depths = sorted({len(p) // PATH_WIDTH for p in inner})
    rows: dict[tuple[int, str], ComplianceSnapshot] = {}
    base = Result.objects.exclude(status=Status.NOT_APPLICABLE)
    for depth in depths:
        width = depth * PATH_WIDTH
        counts = (base.annotate(n=Length("unit_path")).filter(n__gt=width)
                  .annotate(anc=Substr(F("unit_path"), 1, width))
                  .values("anc", "requirement__category")
                  .annotate(met=Count("id", filter=Q(status=Status.MET)),
                            unmet=Count("id", filter=Q(status=Status.UNMET)),
                            unknown=Count("id", filter=Q(status=Status.UNKNOWN)))
                  .order_by())
        for c in counts:
            if c["anc"] not in inner:
                continue
            for category in (c["requirement__category"], ""):
                key = (inner[c["anc"]], category)
                snap = rows.setdefault(key, ComplianceSnapshot(
                    unit_id=key[0], unit_path=c["anc"], day=day, category=category))
                snap.met += c["met"]
                snap.unmet += c["unmet"]
                snap.unknown += c["unknown"]
    with transaction.atomic():
        ComplianceSnapshot.objects.filter(day=day).delete()
        ComplianceSnapshot.objects.bulk_create(rows.values(), batch_size=2000)
    return len(rows)


def trend(unit: Unit, days: int = 90) -> list[dict]:
    since = timezone.localdate() - dt.timedelta(days=days)
    return [{"day": s.day.isoformat(), "rate": s.rate}
            for s in ComplianceSnapshot.objects.filter(unit=unit, category="",
                                                       day__gte=since).order_by("day")]
