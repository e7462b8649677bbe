"""Synthetic inspections and hazards for benchmarks (`fangfan generate`, core.synthetic):
per school a year of monthly self-inspections, the district's supervisory inspections of
the last and current semesters, and HAZARDS_PER_UNIT hazards over three years, about 5 %
of them open (some overdue, some escalated), written with bulk_create.

The escalation marks are those of a worker that has kept up until yesterday: open
hazards past their deadline were told overdue and, after the grace days, escalated;
those due within the reminder days were reminded, except the ones whose mark falls due
today, which the first pass of the day handles (as in production)."""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fangfan.core.synthetic import synthetic_part
from fangfan.inspections import tallies
from fangfan.inspections.escalation import REMIND_DAYS, grace_days
from fangfan.inspections.models import Hazard, HazardStatus, Inspection, Severity

HAZARDS_PER_UNIT = 20
OPEN_SHARE = 0.05
TITLES = ["校门防冲撞石球缺失", "围墙护栏松动", "监控摄像机离线", "一键报警未联网",
          "门卫室防割手套不足", "夜间照明损坏", "消防通道堵塞", "配电房门锁损坏",
          "食堂操作间监控角度偏移", "巡逻记录缺失", "访客登记不全", "入侵报警器故障"]
OPEN = [HazardStatus.FOUND, HazardStatus.ASSIGNED, HazardStatus.RECTIFIED,
        HazardStatus.RETURNED]


def _terms(today: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
    """The last two semesters and the current one, for the whole synthetic tree."""
    year = today.year if today.month >= 9 else today.year - 1
    return [(year - 1, 2, dt.date(year, 2, 20), dt.date(year, 7, 10)),
            (year, 1, dt.date(year, 9, 1), dt.date(year + 1, 1, 20)),
            (year, 2, dt.date(year + 1, 2, 20), dt.date(year + 1, 7, 10))]


@synthetic_part
def inspections_and_hazards(rng: random.Random, root, district, leaves) -> dict[str, int]:
    from fangfan.standards.models import SchoolTerm

    today = timezone.localdate()
    if root is not None:  # once, before the first district: the region's semesters
        SchoolTerm.objects.bulk_create([
            SchoolTerm(unit=root, unit_path=root.path, school_year=y, number=n,
                       starts_on=s, ends_on=e) for y, n, s, e in _terms(today)])
        return {}
    months = [today.replace(day=1)]
    for _ in range(12):  # the first days of the last twelve ended months
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    inspections = []
    for unit in leaves:
        for first in months[1:]:  # most months' self-inspection done
            if rng.random() < 0.9:
                day = first.replace(day=rng.randint(3, 25))
                inspections.append(Inspection(
                    unit=unit, unit_path=unit.path, kind="self", inspected_on=day,
                    completed_on=day, inspectors="安保主任"))
        for _y, _n, start, end in _terms(today):
            if start > today:
                continue
            for _ in range(rng.choice((1, 2, 2, 2))):  # a quarter short of the two
                day = start + dt.timedelta(days=rng.randint(0, (min(end, today) - start).days))
                inspections.append(Inspection(
                    unit=unit, unit_path=unit.path, kind="supervisory", authority=district,
                    by_supervisor=True, inspected_on=day, completed_on=day,
                    inspectors="区教育局安全科"))
    Inspection.objects.bulk_create(inspections, batch_size=2000)
    hazards = [_hazard(rng, unit, today) for unit in leaves for _ in range(HAZARDS_PER_UNIT)]
    Hazard.objects.bulk_create(hazards, batch_size=2000)
    tallies.created(hazards)  # the board's counts (bulk_create bypasses save())
    return {"inspections": len(inspections), "hazards": len(hazards),
            "open hazards": sum(h.status in OPEN for h in hazards)}


def _hazard(rng: random.Random, unit, today: dt.date) -> Hazard:
    major = rng.random() < 0.02
    h = Hazard(unit=unit, unit_path=unit.path, title=rng.choice(TITLES),
               severity=Severity.MAJOR if major else Severity.GENERAL,
               source=rng.choice(["inspection", "inspection", "manual", "drill", "fault"]))
    if rng.random() >= OPEN_SHARE:  # closed, found over the last three years
        h.found_on = today - dt.timedelta(days=rng.randint(2, 3 * 365))
        h.deadline = h.found_on + dt.timedelta(days=rng.randint(7, 30))
        h.rectified_on = min(today, h.found_on + dt.timedelta(days=rng.randint(1, 40)))
        h.closed_on = min(today, h.rectified_on + dt.timedelta(days=rng.randint(0, 3)))
        h.status = HazardStatus.CLOSED
        h.rectification = "已整改"
    else:  # open: found in the last two months, deadlines around today
        h.found_on = today - dt.timedelta(days=rng.randint(0, 60))
        h.status = rng.choices(OPEN, weights=[1, 6, 2, 1])[0]
        if h.status != HazardStatus.FOUND:
            h.deadline = h.found_on + dt.timedelta(days=rng.randint(7, 30))
    if major:
        h.escalated_on = h.found_on
    if h.status in OPEN and h.deadline:
        _marks(h, today)
    return h


def _marks(h: Hazard, today: dt.date) -> None:
    """The marks a worker that kept up until yesterday left; today's are not yet set."""
    late = h.deadline + dt.timedelta(days=grace_days())
    if h.deadline - dt.timedelta(days=REMIND_DAYS) < today:
        h.reminded_on = max(h.found_on, h.deadline - dt.timedelta(days=REMIND_DAYS))
    if h.deadline < today - dt.timedelta(days=1):
        h.overdue_notified_on = h.deadline + dt.timedelta(days=1)
    if late < today - dt.timedelta(days=1) and not h.escalated_on:
        h.escalated_on = late + dt.timedelta(days=1)
