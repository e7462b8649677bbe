"""The duty roster (OPS-1): refusals of impossible shifts, 24-hour coverage gaps, copying
a week, the leader-on-duty roster, a person's own shifts on their home page."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.helpers import refused
from fangfan.duty import roster
from fangfan.duty.coverage import day_bounds, gaps
from fangfan.duty.models import Shift
from fangfan.duty.tests.helpers import at, person, post, shift
from fangfan.resources.models import Certificate, Person

MONDAY = roster.monday_of(timezone.localdate()) + dt.timedelta(days=7)


def test_impossible_shifts_are_refused(tree):
    guard = person(tree["a"], "王建国", guard=True)
    gate = post(tree["a"])
    assert "ends after it starts" in refused("ends_at", shift, guard, gate,
                                             at(MONDAY, 8), at(MONDAY, 8))
    assert "at most 24 hours" in refused("ends_at", shift, guard, gate, at(MONDAY, 8),
                                         at(MONDAY + dt.timedelta(days=1), 9))
    shift(guard, gate, at(MONDAY, 8), at(MONDAY, 20))
    patrol = post(tree["a"], "巡逻岗", "patrol")
    message = refused("starts_at", shift, guard, patrol, at(MONDAY, 19), at(MONDAY, 23))
    assert "王建国 is already on duty at 南校门岗" in message
    shift(guard, patrol, at(MONDAY, 20), at(MONDAY, 23))  # touching is not overlapping
    assert Shift.objects.count() == 2


def test_guard_posts_need_a_licensed_guard(tree):
    gate = post(tree["a"])
    teacher = person(tree["a"], "黄益芬")
    assert "not recorded as a guard" in refused("person", shift, teacher, gate,
                                                at(MONDAY, 8), at(MONDAY, 16))
    unlicensed = person(tree["a"], "李卫东", guard=True, licence=False)
    assert "no valid guard licence" in refused("person", shift, unlicensed, gate,
                                               at(MONDAY, 8), at(MONDAY, 16))
    services.create_record(None, Certificate, {
        "unit": tree["a"], "person": unlicensed, "kind": "guard_licence",
        "issued_on": MONDAY - dt.timedelta(days=700), "expires_on": MONDAY})
    refused("person", shift, unlicensed, gate, at(MONDAY, 20),
            at(MONDAY + dt.timedelta(days=1), 8))  # expires during the shift
    shift(unlicensed, gate, at(MONDAY, 8), at(MONDAY, 16))
    # A teacher may hold the teachers' gate duty and the leader post.
    shift(teacher, post(tree["a"], "放学护导", "teacher_dismissal"), at(MONDAY, 15),
          at(MONDAY, 17))


def test_people_and_posts_of_another_unit_are_refused(tree):
    gate = post(tree["a"])
    outsider = person(tree["b"], "外人", guard=True)
    assert "another unit" in refused("person", shift, outsider, gate, at(MONDAY, 8),
                                     at(MONDAY, 16))
    mine = person(tree["a"], "王建国", guard=True)
    other_post = post(tree["b"])
    refused("post", services.create_record, None, Shift, {
        "unit": tree["a"], "post": other_post, "person": mine, "starts_at": at(MONDAY, 8),
        "ends_at": at(MONDAY, 9)})


def test_gaps_of_a_post_held_around_the_clock(tree):
    gate = post(tree["a"])
    a, b = person(tree["a"], "王建国", guard=True), person(tree["a"], "李卫东", guard=True)
    shift(a, gate, at(MONDAY, 6), at(MONDAY, 18))
    shift(b, gate, at(MONDAY, 18), at(MONDAY + dt.timedelta(days=1), 2))
    start, end = day_bounds(MONDAY)[0], day_bounds(MONDAY + dt.timedelta(days=1))[1]
    found = gaps(gate, gate.shifts.all(), start, end)
    assert [(g.start, g.end) for g in found] == [
        (at(MONDAY, 0), at(MONDAY, 6)),
        (at(MONDAY + dt.timedelta(days=1), 2), day_bounds(MONDAY + dt.timedelta(days=1))[1])]
    assert found[0].describe().startswith("uncovered 00:00–06:00 on Mon")
    assert "02:00–24:00" in found[1].describe()
    # Two people required: one alone is a gap too, said as such.
    gate.people_per_shift = 2
    assert gaps(gate, gate.shifts.all(), at(MONDAY, 6), at(MONDAY, 18))[0].describe() \
        .startswith("1 of 2 on duty 06:00–18:00")
    # A post held only in its shifts has no gaps.
    leader = post(tree["a"], "带班领导", "leader")
    assert gaps(leader, [], start, end) == []


def test_week_page_shows_bars_and_gaps_in_words(tree, unit_admin, client):
    gate = post(tree["a"])
    guard = person(tree["a"], "王建国", guard=True)
    for i in range(7):
        day = MONDAY + dt.timedelta(days=i)
        shift(guard, gate, at(day, 6), at(day, 22))
    client.force_login(unit_admin)
    page = client.get(reverse("duty-week", args=[tree["a"].code]),
                      {"week": MONDAY.isoformat()}).content.decode()
    assert page.count('data-testid="gap"') == 14  # 00–06 and 22–24 each day
    assert "uncovered 22:00–24:00 on Tue" in page
    day = client.get(reverse("duty-week", args=[tree["a"].code]),
                     {"week": MONDAY.isoformat(), "day": MONDAY.isoformat()})
    assert day.content.decode().count('data-testid="gap"') == 2
    assert client.get(reverse("duty-week", args=[tree["b"].code])).status_code == 404


def test_copy_week_copies_or_refuses_everything(tree, unit_admin, client):
    gate = post(tree["a"])
    guard = person(tree["a"], "王建国", guard=True)
    other = person(tree["a"], "李卫东", guard=True)
    shift(guard, gate, at(MONDAY, 8), at(MONDAY, 20))
    shift(other, gate, at(MONDAY, 20), at(MONDAY + dt.timedelta(days=1), 8))
    client.force_login(unit_admin)
    url = reverse("duty-copy-week", args=[tree["a"].code])
    client.post(url, {"week": MONDAY.isoformat()})
    nxt = MONDAY + roster.WEEK
    assert set(Shift.objects.filter(starts_at__gte=at(nxt, 0)).values_list(
        "person__name", "starts_at")) == {("王建国", at(nxt, 8)), ("李卫东", at(nxt, 20))}
    # Copied again: every shift conflicts with its copy; all are listed, none saved.
    resp = client.post(url, {"week": MONDAY.isoformat()}, follow=True)
    text = resp.content.decode()
    assert "Nothing was copied" in text and "王建国" in text and "李卫东" in text
    assert Shift.objects.count() == 4


def test_copy_week_refuses_a_licence_expired_next_week(tree, unit_admin):
    gate = post(tree["a"])
    guard = person(tree["a"], "王建国", guard=True, licence=False)
    services.create_record(None, Certificate, {
        "unit": tree["a"], "person": guard, "kind": "guard_licence",
        "issued_on": MONDAY - dt.timedelta(days=700),
        "expires_on": MONDAY + dt.timedelta(days=3)})
    shift(guard, gate, at(MONDAY, 8), at(MONDAY, 20))
    with pytest.raises(roster.CopyRefused) as exc:
        roster.copy_week(unit_admin, tree["a"], MONDAY)
    assert "no valid guard licence" in " ".join(exc.value.messages)
    assert Shift.objects.count() == 1


def test_leader_roster_lists_leader_posts_only(tree, unit_admin, client):
    leader = post(tree["a"], "带班领导", "leader")
    principal = person(tree["a"], "张红梅")
    shift(principal, leader, at(MONDAY, 8), at(MONDAY, 17))
    shift(person(tree["a"], "王建国", guard=True), post(tree["a"]), at(MONDAY, 8),
          at(MONDAY, 17))
    client.force_login(unit_admin)
    page = client.get(reverse("duty-leaders", args=[tree["a"].code]),
                      {"week": MONDAY.isoformat()}).content.decode()
    assert page.count('data-testid="leader-shift"') == 1 and "张红梅" in page


def test_my_shifts_first_on_the_guards_home(tree, make_user, client):
    user = make_user(Role.GUARD, tree["a"])
    guard = person(tree["a"], "王建国", guard=True, user=user)
    gate = post(tree["a"])
    now = timezone.now()
    shift(guard, gate, now - dt.timedelta(hours=1), now + dt.timedelta(hours=7))
    shift(guard, gate, now + dt.timedelta(hours=23), now + dt.timedelta(hours=31))
    shift(guard, gate, now + dt.timedelta(hours=47), now + dt.timedelta(hours=55))
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    panel = page[page.index('data-testid="my-shifts-panel"'):]
    later = [page.index(m) for m in ('data-testid="quick-actions"', "data-section=",
                                      'data-testid="record-counts"') if m in page]
    assert later and page.index("my-shifts-panel") < min(later)
    assert "On duty now" in panel and "Next shift" not in panel and panel.count(
        'class="list-group-item py-3"') == 2
    mine = client.get(reverse("duty-mine")).content.decode()
    assert mine.count('data-testid="my-shift"') == 3


def test_home_without_a_linked_person_has_no_panel(tree, unit_admin, client):
    client.force_login(unit_admin)
    assert "my-shifts-panel" not in client.get(reverse("home")).content.decode()
    assert "not linked" in client.get(reverse("duty-mine")).content.decode()


def test_uncovered_hours_are_work_for_the_unit_admin(tree, unit_admin, make_user, client):
    gate = post(tree["a"])
    guard = person(tree["a"], "王建国", guard=True)
    now = timezone.now()
    shift(guard, gate, now, now + dt.timedelta(hours=20))
    client.force_login(unit_admin)
    page = client.get(reverse("home")).content.decode()
    assert "Post not covered: 南校门岗" in page and "uncovered" in page
    client.force_login(make_user(Role.GUARD, tree["a"]))
    assert "Post not covered" not in client.get(reverse("home")).content.decode()
    assert Person.objects.count() == 1


def test_leader_roster_shows_sensitive_days_without_a_leader(tree, unit_admin, client):
    from fangfan.inspections.notices import SensitivePeriod

    services.create_record(None, SensitivePeriod, {
        "unit": tree["district"], "name": "国庆", "starts_on": MONDAY,
        "ends_on": MONDAY + dt.timedelta(days=2), "leaders_on_duty": True})
    leader = post(tree["a"], "带班领导", "leader")
    principal = person(tree["a"], "张红梅")
    shift(principal, leader, at(MONDAY, 8), at(MONDAY, 17))
    found = roster.sensitive_days(unit_admin, tree["a"], MONDAY,
                                  list(roster.leader_shifts(unit_admin, tree["a"], MONDAY)))
    assert [p.missing for p in found] == [[MONDAY + dt.timedelta(days=1),
                                           MONDAY + dt.timedelta(days=2)]]
    client.force_login(unit_admin)
    page = client.get(reverse("duty-leaders", args=[tree["a"].code]),
                      {"week": MONDAY.isoformat()}).content.decode()
    assert "国庆" in page and "No leader on duty yet on" in page
