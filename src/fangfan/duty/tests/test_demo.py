"""The demo school's duty: a week of roster with one night gap at the gate, the leader on
duty, a handover with a carried matter, a 护学岗 signed in, R-KIT evaluated."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.core.demo import load_demo
from fangfan.core.models import Unit, User
from fangfan.duty.coverage import gaps
from fangfan.duty.demo import signed_school_days
from fangfan.duty.models import Handover, Post, SchoolGuardSignIn
from fangfan.resources.models import person_of
from fangfan.standards import engine, facts, schooldays
from fangfan.standards.models import Result


def test_demo_duty(db):
    load_demo()
    unit = Unit.objects.get(code="xinqiao")
    now = timezone.now()
    found = {}
    for post in Post.objects.filter(unit=unit):
        found[post.name] = gaps(post, post.shifts.all(), now, now + dt.timedelta(days=7))
    assert [g.describe()[:22] for g in found["南校门岗"]] == ["uncovered 02:00–08:00 "]
    assert found["监控室值守"] == []
    assert Post.objects.get(name="带班领导").shifts.count() >= 7
    latest = Handover.objects.filter(unit=unit).order_by("-handed_over_at").first()
    assert [i.text for i in latest.carried_items()] == ["北门监控画面夜间闪烁，已报后勤，待维修"]
    guard = User.objects.get(username="xinqiao_guard")
    assert person_of(guard).name == "黄建刚"
    # Twice on each of the last five school days (none on 国庆 or a Saturday; in the
    # holidays, the end of the term), so the post counts as set up whenever it is loaded.
    school_days = signed_school_days(unit, timezone.localdate())
    assert len(school_days) == 5
    assert all(schooldays.is_school_day(d, unit.path) for d in school_days)
    assert SchoolGuardSignIn.objects.filter(by=guard).count() == 2 * len(school_days)
    assert facts.compute_unit(unit.path)[unit.path]["hu_xue_gang_posts"] == 1
    engine.evaluate_units([unit.path])
    kit = Result.objects.get(unit=unit, requirement__urn__endswith="r-kit")
    assert kit.status == "met" and kit.required == 1
