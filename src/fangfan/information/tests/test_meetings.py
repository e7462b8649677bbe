"""Meetings (INF-2): R-MEET from the records, obligations fulfilled by the meeting,
follow-up tasks as work and reminders, closed only with a note."""
import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Notification, Role
from fangfan.core.work import WorkContext, items_for
from fangfan.information import work
from fangfan.information.facts import meet_window, quarter_start
from fangfan.information.models import FollowUpTask, Meeting
from fangfan.resources.models import Person
from fangfan.standards import facts

TODAY = dt.date(2026, 11, 27)  # in the fourth quarter


def _meeting(unit, day, kind="situation"):
    return Meeting.objects.create(unit=unit, unit_path=unit.path, kind=kind, held_on=day,
                                  topic="形势分析会")


def _quarters_without(path):
    with mock.patch.object(timezone, "localdate", return_value=TODAY):
        got = facts.compute(Q(unit_path=path), {"quarters_without_meeting"})
    return got.get(path, {}).get("quarters_without_meeting")


def test_quarters_without_meeting_from_records(tree):
    a = tree["a"]
    assert _quarters_without(a.path) is None  # no meeting recorded: unknown
    _meeting(a, dt.date(2025, 12, 1), kind="special")  # since Q4 2025: four ended quarters
    assert _quarters_without(a.path) == 4
    _meeting(a, dt.date(2026, 2, 10))  # Q1
    _meeting(a, dt.date(2026, 3, 20))  # Q1 again: counts once
    _meeting(a, dt.date(2026, 8, 1))  # Q3
    _meeting(a, dt.date(2026, 5, 5), kind="special")  # a special meeting does not count
    assert _quarters_without(a.path) == 2  # Q4 2025 and Q2 2026
    _meeting(a, dt.date(2026, 10, 9))  # the current quarter has not ended: no change
    assert _quarters_without(a.path) == 2
    assert meet_window(TODAY) == (dt.date(2025, 10, 1), dt.date(2026, 10, 1))
    assert quarter_start(dt.date(2026, 12, 31)) == dt.date(2026, 10, 1)


def test_r_meet_is_not_demanded_where_the_seed_pack_is_not_active(tree):
    """A unit whose packs do not hold R-MEET gets neither a result nor an obligation."""
    from fangfan.standards import calendar, engine
    from fangfan.standards.models import Obligation, Pack, PackActivation, Result

    engine.evaluate_subtree([tree["city"].path])
    if not Pack.objects.filter(urn="urn:fangfan:pack:seed").exists():
        pytest.skip("seed pack not installed")
    other = Pack.objects.exclude(urn="urn:fangfan:pack:seed").first()
    PackActivation.objects.create(unit=tree["b"], unit_path=tree["b"].path, pack=other)
    from fangfan.standards.models import Evaluation

    Evaluation.objects.filter(unit=tree["b"]).delete()
    engine.evaluate_subtree([tree["city"].path])
    calendar.generate()
    assert Result.objects.filter(unit=tree["a"], requirement__ref="R-MEET").exists()
    assert not Result.objects.filter(unit=tree["b"], requirement__ref="R-MEET").exists()
    assert Obligation.objects.filter(unit=tree["a"], requirement__ref="R-MEET").exists()
    assert not Obligation.objects.filter(unit=tree["b"], requirement__ref="R-MEET").exists()
    # a situation meeting fulfils a's obligation of the quarter
    ob = Obligation.objects.filter(unit=tree["a"], requirement__ref="R-MEET",
                                   period_start__lte=timezone.localdate(),
                                   period_end__gte=timezone.localdate()).get()
    m = services.create_record(None, Meeting, {"unit": tree["a"], "kind": "situation",
                                               "topic": "季度形势分析会"})
    ob.refresh_from_db()
    assert ob.done_on and ob.fulfilled_by_id == str(m.pk)


def test_follow_up_task_closes_only_with_a_note_and_comes_back_as_work(tree, make_user):
    a = tree["a"]
    admin = make_user(Role.UNIT_ADMIN, a)
    teacher = make_user(Role.STAFF, a)
    owner = services.create_record(admin, Person, {"unit": a, "name": "黄建刚",
                                                   "user": teacher})
    m = services.create_record(admin, Meeting, {"unit": a, "topic": "专题会",
                                                "kind": "special",
                                                "held_on": timezone.localdate()})
    task = services.create_record(admin, FollowUpTask, {
        "unit": a, "meeting": m, "what": "修复南门摄像机", "owner": owner,
        "deadline": timezone.localdate() + dt.timedelta(days=2)})
    with pytest.raises(ValidationError, match="Say what was done"):
        services.update_record(admin, task, {"closed_on": timezone.localdate()})
    task.refresh_from_db()
    assert task.closed_on is None
    # work for the unit's admin and, as theirs, for the owner's own account
    for user, detail in ((admin, "黄建刚"), (teacher, "Yours")):
        items = items_for(WorkContext(user=user, paths=[a.path]))
        found = [i for s in items.values() for i in s if i.title == "修复南门摄像机"]
        assert found and found[0].detail == detail
    # reminded once: the owner and the unit's leads
    assert work.remind_tasks() == 1 and work.remind_tasks() == 0
    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        teacher.username, admin.username}
    services.update_record(admin, task, {"closed_on": timezone.localdate(),
                                         "closing_note": "已更换摄像机"})
    items = items_for(WorkContext(user=admin, paths=[a.path]))
    assert not [i for s in items.values() for i in s if i.title == "修复南门摄像机"]


def test_attendee_of_another_unit_is_refused(tree):
    from fangfan.information.models import MeetingAttendee

    m = _meeting(tree["a"], dt.date(2026, 10, 9))
    stranger = services.create_record(None, Person, {"unit": tree["b"], "name": "外人"})
    with pytest.raises(ValidationError):
        services.create_record(None, MeetingAttendee, {"unit": tree["a"], "meeting": m,
                                                       "person": stranger})
    assert not MeetingAttendee.objects.exists()
