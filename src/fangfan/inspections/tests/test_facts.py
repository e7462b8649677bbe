"""months_without_self_inspection counts distinct months in SQL on both databases."""
import datetime as dt

from django.db.models import Q
from django.utils import timezone

from fangfan.inspections.models import Inspection
from fangfan.standards import facts


def test_two_inspections_in_one_month_count_once(tree):
    a = tree["a"]
    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=70)).replace(day=1)
    second = (first + dt.timedelta(days=40)).replace(day=1)  # the month after next
    for day in (first.replace(day=3), first.replace(day=20), second.replace(day=5)):
        Inspection.objects.create(unit=a, unit_path=a.path, kind="self", inspected_on=day,
                                  completed_on=day, inspectors="x")
    months = (timezone.localdate().year - first.year) * 12 + \
        timezone.localdate().month - first.month  # ended months since the first
    got = facts.compute(Q(unit_path=a.path), {"months_without_self_inspection"})
    assert got[a.path]["months_without_self_inspection"] == months - 2
