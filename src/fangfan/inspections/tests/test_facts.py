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


# R-SUPV across the semester boundary: terms of 2026-09-01 – 2027-01-22 and
# 2027-02-20 – 2027-07-02; "today" is given.
TERMS = [(2026, 1, dt.date(2026, 9, 1), dt.date(2027, 1, 22)),
         (2026, 2, dt.date(2027, 2, 20), dt.date(2027, 7, 2))]


def _missing(path: str, monkeypatch, day: dt.date):
    monkeypatch.setattr(timezone, "localdate", lambda *a: day)
    got = facts.compute(Q(unit_path=path), {"supervisions_missing"})
    return got.get(path, {}).get("supervisions_missing")


def _supervise(tree, day: dt.date, authority=None) -> None:
    a = tree["a"]
    Inspection.objects.create(unit=a, unit_path=a.path, kind="supervisory",
                              authority=authority or tree["district"],
                              by_supervisor=(authority or tree["district"]) == tree["district"],
                              inspected_on=day, completed_on=day, inspectors="区教育局")


def test_supervisions_missing_across_the_semester_boundary(tree, monkeypatch):
    from fangfan.core import services
    from fangfan.standards.models import SchoolTerm

    path = tree["a"].path
    assert _missing(path, monkeypatch, dt.date(2026, 10, 1)) is None  # no terms: unknown
    for year, number, start, end in TERMS:
        services.create_record(None, SchoolTerm, {"unit": tree["city"], "school_year": year,
                                                  "number": number, "starts_on": start,
                                                  "ends_on": end})
    _supervise(tree, dt.date(2026, 10, 15))
    _supervise(tree, dt.date(2026, 11, 5), authority=tree["city"])  # not its supervisor
    # During the semester, one missing inspection still fits: no gap.
    assert _missing(path, monkeypatch, dt.date(2026, 12, 1)) == 0
    # Two missing need a week between them: with six days left they no longer fit.
    Inspection.objects.filter(unit=tree["a"], by_supervisor=True).delete()
    assert _missing(path, monkeypatch, dt.date(2027, 1, 15)) == 0  # seven days left
    assert _missing(path, monkeypatch, dt.date(2027, 1, 16)) == 2  # six
    _supervise(tree, dt.date(2026, 10, 15))
    # The last day of the semester: one missing still fits that day; the day after it
    # ends, the ended semester's shortfall is a gap, through the break and the next term.
    assert _missing(path, monkeypatch, dt.date(2027, 1, 22)) == 0
    assert _missing(path, monkeypatch, dt.date(2027, 1, 23)) == 1
    assert _missing(path, monkeypatch, dt.date(2027, 3, 1)) == 1
    _supervise(tree, dt.date(2027, 1, 20))
    assert _missing(path, monkeypatch, dt.date(2027, 3, 1)) == 0


def test_a_month_without_self_inspection_is_a_gap_from_the_day_after_it(tree, monkeypatch):
    a = tree["a"]
    Inspection.objects.create(unit=a, unit_path=a.path, kind="self",
                              inspected_on=dt.date(2026, 9, 10),
                              completed_on=dt.date(2026, 9, 10), inspectors="x")

    def months(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args: day)
        got = facts.compute(Q(unit_path=a.path), {"months_without_self_inspection"})
        return got[a.path]["months_without_self_inspection"]

    assert months(dt.date(2026, 10, 31)) == 0  # October is not over yet
    assert months(dt.date(2026, 11, 1)) == 1  # October ended without one
    Inspection.objects.create(unit=a, unit_path=a.path, kind="self",
                              inspected_on=dt.date(2026, 10, 30), inspectors="x")
    assert months(dt.date(2026, 11, 1)) == 1  # not finished: does not count
    Inspection.objects.filter(completed_on__isnull=True).update(
        completed_on=dt.date(2026, 10, 30))
    assert months(dt.date(2026, 11, 1)) == 0
