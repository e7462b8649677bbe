"""Demo data of information work (issue 12): 新桥's quarterly situation analysis
meetings with one ended quarter missed (so R-MEET is unmet for a visible reason), a
special meeting whose follow-up tasks are open, overdue and closed; training for the
guards, a knowledge drill and a publicity activity; the legal-education vice principal;
and a reporting window opened by the district, answered by 新桥 and not yet by the
others."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit, User
from fangfan.information import reporting
from fangfan.information.facts import quarter_start
from fangfan.information.models import (
    FollowUpTask,
    LegalVicePrincipal,
    Meeting,
    MeetingAttendee,
    ReportField,
    ReportingWindow,
    Submission,
    SubmissionValue,
    TrainingParticipant,
    TrainingSession,
)
from fangfan.resources.models import Person


def _quarters_back(today: dt.date, n: int) -> dt.date:
    """The first day of the quarter `n` quarters before today's."""
    start = quarter_start(today)
    index = start.month - 1 - 3 * n
    return dt.date(start.year + index // 12, index % 12 + 1, 1)


def _meetings(admin: User, unit: Unit, people: list[Person], today: dt.date) -> None:
    chair = people[0]
    # the last four ended quarters; the one two quarters back has no meeting
    for back in (4, 3, 1):
        day = _quarters_back(today, back) + dt.timedelta(days=20)
        m = services.create_record(admin, Meeting, {
            "unit": unit, "kind": "situation", "held_on": day, "chair": chair,
            "topic": f"{day.year}年第{(day.month - 1) // 3 + 1}季度反恐怖防范形势分析会",
            "minutes": "通报本季度校园及周边安全形势，分析门卫值守、重点部位和技防设施运行情况。",
            "decisions": "加强上下学时段校门值守\n开展一次防暴演练"})
        for p in people[:4]:
            services.create_record(admin, MeetingAttendee, {"unit": unit, "meeting": m,
                                                            "person": p})
    special = services.create_record(admin, Meeting, {
        "unit": unit, "kind": "special", "held_on": today - dt.timedelta(days=20),
        "chair": chair, "topic": "校门防冲撞设施专题会",
        "minutes": "区教育局督导检查发现南门防冲撞石球缺失，研究整改措施。",
        "decisions": "补齐南门石球\n更换北门损坏摄像机"})
    for p in people[:3]:
        services.create_record(admin, MeetingAttendee, {"unit": unit, "meeting": special,
                                                        "person": p})
    owner = people[1]
    tasks = [("补齐南门防冲撞石球", today - dt.timedelta(days=5), None),
             ("更换北门损坏的监控摄像机", today + dt.timedelta(days=10), None),
             ("修订门卫值守制度", today - dt.timedelta(days=12), "已修订并经校长办公会通过")]
    for what, deadline, note in tasks:
        data = {"unit": unit, "meeting": special, "what": what, "owner": owner,
                "deadline": deadline}
        if note:
            data.update(closed_on=today - dt.timedelta(days=13), closing_note=note)
        services.create_record(admin, FollowUpTask, data)


def _training(admin: User, unit: Unit, people: list[Person], today: dt.date) -> None:
    guards = [p for p in people if p.is_guard]
    sessions = [
        ("training", "防暴器械使用与门卫盘查培训", 4, guards, {}),
        ("knowledge_drill", "反恐防范应知应会知识演练", 2, people[:8], {}),
        ("publicity", "全民国家安全教育日主题班会", 1, [],
         {"publicity_form": "class_meeting", "audience": 1050}),
    ]
    for i, (kind, topic, hours, who, extra) in enumerate(sessions):
        s = services.create_record(admin, TrainingSession, {
            "unit": unit, "kind": kind, "topic": topic, "hours": hours,
            "held_on": today - dt.timedelta(days=40 - 10 * i),
            "trainer": "新桥派出所 王卫东", **extra})
        for p in who:
            services.create_record(admin, TrainingParticipant, {"unit": unit, "session": s,
                                                                "person": p})
    services.create_record(admin, LegalVicePrincipal, {
        "unit": unit, "name": "王卫东", "organisation": "常州市公安局新北分局新桥派出所",
        "post": "副所长", "phone": "13800009110",
        "appointed_on": dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)})


def _window(district: User, authority: Unit, school_admin: User, school: Unit,
            today: dt.date) -> None:
    w = services.create_record(district, ReportingWindow, {
        "unit": authority, "kind": "sensitive_period", "title": "元旦前校园安全工作信息报送",
        "instructions": "请各校于截止日前如实填报本校安保力量和隐患整改情况。",
        "opens_on": today - dt.timedelta(days=3), "deadline": today + dt.timedelta(days=4)})
    questions = [("专职保安员人数", "number", "", "guards_full_time"),
                 ("防卫器械（每人最少件数）", "number", "", "kit_items_min"),
                 ("是否实行封闭化管理", "choice", "是\n否", ""),
                 ("存在的问题和下一步措施", "text", "", "")]
    fields = []
    for i, (label, kind, options, fact) in enumerate(questions, start=1):
        fields.append(services.create_record(district, ReportField, {
            "unit": authority, "window": w, "position": i, "label": label, "kind": kind,
            "options": options, "fact": fact, "required": kind != "text"}))
    prefilled = reporting.prefill(w, school)
    sub = services.create_record(school_admin, Submission, {"unit": school, "window": w})
    answers = {fields[2].pk: "是", fields[3].pk: "南门防冲撞石球缺失，已报区教育局，月底前补齐。"}
    for f in fields:
        number = prefilled.get(f.pk, 0) if f.kind == "number" else None
        services.create_record(school_admin, SubmissionValue, {
            "unit": school, "submission": sub, "field": f, "number": number,
            "text": answers.get(f.pk, "")})


@demo_part(86)
def information(units: dict[str, Unit]) -> None:
    today = timezone.localdate()
    xinqiao = units["xinqiao"]
    admin = User.objects.get(username="xinqiao_admin")
    people = list(Person.objects.filter(unit=xinqiao).order_by("pk"))
    _meetings(admin, xinqiao, people, today)
    _training(admin, xinqiao, people, today)
    _window(User.objects.get(username="xinbei_supervisor"), units["xinbei"], admin, xinqiao,
            today)
