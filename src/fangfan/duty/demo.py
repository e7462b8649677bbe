"""The duty part of the demo (`fangfan.core.demo`): 新桥实验小学's roster from yesterday
night to a week ahead — the gate and the monitoring room around the clock with one night
left uncovered at the gate (02:00–08:00), the leader on duty, the teachers' gate duty at
arrival on school days — a handover whose open matter is carried to the next one, and
the 护学岗 of the 新桥 police station at the south gate signed in on the last five school
days."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.core import services
from fangfan.core.demo import demo_part, phone
from fangfan.core.models import Unit, User
from fangfan.duty.facts import SCHOOL_DAYS_HORIZON
from fangfan.duty.models import (
    Handover,
    HandoverItem,
    Post,
    SchoolGuardPost,
    SchoolGuardSignIn,
    Shift,
)
from fangfan.resources.models import Location, Person
from fangfan.standards import schooldays

LEADERS = ["张红梅", "姚建法", "张丽", "高春媛", "章丽红", "郭建刚", "杨阳"]
TEACHERS = ["黄益芬", "周雨龙", "刘宇婷", "赵海琴", "叶凌"]
# The night the gate is left uncovered from 02:00 (days from today).
GAP_NIGHT = 2
# The school days before today the 护学岗 is signed in on (a school week).
SIGNED_SCHOOL_DAYS = 5


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@demo_part(70)
def duty(units: dict[str, Unit]) -> None:
    unit = units["xinqiao"]
    people = {p.name: p for p in Person.objects.filter(unit=unit)}
    places = {p.name: p for p in Location.objects.filter(unit=unit)}
    posts = _posts(unit, places)
    _roster(unit, posts, people)
    _handovers(unit, posts["南校门岗"], people)
    _school_guard_post(unit)


def _posts(unit: Unit, places: dict) -> dict[str, Post]:
    specs = [("南校门岗", "gate", "南校门", 1), ("监控室值守", "monitoring", "监控中心", 1),
             ("校园巡逻", "patrol", "周界", 1), ("上学护导", "teacher_arrival", "南校门", 1),
             ("放学护导", "teacher_dismissal", "南校门", 2), ("带班领导", "leader", None, 1)]
    return {name: services.create_record(None, Post, {
        "unit": unit, "name": name, "kind": kind, "location": places.get(place),
        "people_per_shift": n}) for name, kind, place, n in specs}


def _shift(unit, post, person, start, end, note="") -> None:
    services.create_record(None, Shift, {"unit": unit, "post": post, "person": person,
                                         "starts_at": start, "ends_at": end, "note": note})


def _roster(unit: Unit, posts: dict[str, Post], people: dict[str, Person]) -> None:
    """Day and night at the gate and in the monitoring room from yesterday to a week
    ahead; the leader on duty each day; a teacher at the gate each school morning."""
    today = timezone.localdate()
    for offset in range(-1, 8):
        day = today + dt.timedelta(days=offset)
        nxt = day + dt.timedelta(days=1)
        _shift(unit, posts["南校门岗"], people["王建国"], _at(day, 8), _at(day, 20))
        if offset == GAP_NIGHT:
            _shift(unit, posts["南校门岗"], people["李卫东"], _at(day, 20), _at(nxt, 2),
                   "李卫东 02:00 后请假，未安排替班")
        else:
            _shift(unit, posts["南校门岗"], people["李卫东"], _at(day, 20), _at(nxt, 8))
        _shift(unit, posts["监控室值守"], people["黄建刚"], _at(day, 8), _at(day, 20))
        _shift(unit, posts["监控室值守"], people["陈志强"], _at(day, 20), _at(nxt, 8))
        leader = LEADERS[(day.toordinal()) % len(LEADERS)]
        _shift(unit, posts["带班领导"], people[leader], _at(day, 7, 30), _at(day, 17, 30))
        if schooldays.is_school_day(day, unit.path):
            teacher = TEACHERS[day.toordinal() % len(TEACHERS)]
            _shift(unit, posts["上学护导"], people[teacher], _at(day, 7, 20), _at(day, 8))


def _handovers(unit: Unit, gate: Post, people: dict[str, Person]) -> None:
    """The night guard hands over to the day guard two mornings ago with two matters;
    one is closed the same day, the other is still open and carried to yesterday's
    handovers."""
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=2)
    first = services.create_record(None, Handover, {
        "unit": unit, "post": gate, "from_person": people["李卫东"],
        "to_person": people["王建国"], "handed_over_at": _at(first_day, 8),
        "notes": "夜间巡查两次，校门周边无异常。凌晨一点一辆无牌电动车在门口停留约十分钟后离开。"})
    open_matter = services.create_record(None, HandoverItem, {
        "unit": unit, "handover": first, "text": "北门监控画面夜间闪烁，已报后勤，待维修"})
    barrier = services.create_record(None, HandoverItem, {
        "unit": unit, "handover": first, "text": "南门道闸遥控器电池电量不足"})
    services.update_record(None, barrier, {"closed_at": _at(first_day, 10),
                                           "closed_note": "已更换电池，道闸恢复正常"})
    services.create_record(None, Handover, {
        "unit": unit, "post": gate, "from_person": people["王建国"],
        "to_person": people["李卫东"], "handed_over_at": _at(first_day, 20),
        "notes": "放学秩序正常，家长接送车辆已疏导。"})
    services.create_record(None, Handover, {
        "unit": unit, "post": gate, "from_person": people["李卫东"],
        "to_person": people["王建国"],
        "handed_over_at": _at(today - dt.timedelta(days=1), 8), "notes": "夜间平稳。"})
    assert open_matter.closed_at is None


def _school_guard_post(unit: Unit) -> None:
    """Defined by the district's supervisor for the police station, in service since the
    previous school year; signed in by the school's guard at arrival and dismissal on the
    unit's last school days before today (the city's school calendar: none on 国庆, and
    in the winter and summer holidays those at the end of the term)."""
    supervisor = User.objects.get(username="xinbei_supervisor")
    guard = User.objects.get(username="xinqiao_guard")
    today = timezone.localdate()
    post = services.create_record(supervisor, SchoolGuardPost, {
        "unit": unit, "place": "南校门外人行横道",
        "duty": "上学、放学时段在校门口疏导交通、护送学生过马路，巡查校门周边可疑人员和车辆。",
        "officer_name": "陈卫国", "officer_phone": phone(70), "police_station": "新桥派出所",
        "active_from": dt.date(today.year - (1 if today.month >= 9 else 2), 9, 1)})
    for day in signed_school_days(unit, today):
        for session, at in (("arrival", _at(day, 7, 25)), ("dismissal", _at(day, 16, 10))):
            services.create_record(guard, SchoolGuardSignIn, {
                "unit": unit, "post": post, "date": day, "session": session,
                "signed_at": at})


def signed_school_days(unit: Unit, today: dt.date) -> list[dt.date]:
    """The unit's last SIGNED_SCHOOL_DAYS school days before `today`, within the fact's
    horizon (the demo's 护学岗 counts as set up whenever the demo is loaded)."""
    days: list[dt.date] = []
    day = today - dt.timedelta(days=1)
    while len(days) < SIGNED_SCHOOL_DAYS and day > today - SCHOOL_DAYS_HORIZON:
        if schooldays.is_school_day(day, unit.path):
            days.append(day)
        day -= dt.timedelta(days=1)
    return days
