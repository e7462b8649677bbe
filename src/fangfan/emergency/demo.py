"""Demo data of emergency plans and drills (issue 11): 新桥's incident command HQ and
its order group, an approved knife-attack plan (version 2, the first kept as history)
and an approved evacuation plan, read by some of its people; a drill in each semester of
the school year so far (and last year's), one of which found a problem that became a
hazard and was counted by an accounting round."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit, User
from fangfan.emergency import services as emg
from fangfan.emergency.models import AccountingRound, Drill, EmergencyPlan, PlannedDrill
from fangfan.organisation.models import Body, Membership
from fangfan.resources.models import Person
from fangfan.standards import calendar

KNIFE = {
    "scenario": "knife_attack", "title": "防持刀砍杀事件应急预案",
    "command": "校长张红梅任总指挥，分管安全副校长姚建法任副总指挥；指挥部设在南门卫室，"
               "总指挥不在时由副总指挥指挥。",
    "groups": "",  # the order group and HQ as recorded under organisation
    "first_response": "门卫发现持刀人员立即按下一键报警，持钢叉、防暴盾牌拦截，拖延时间；"
                      "同时拨打110，通知指挥部；班主任关闭教室门窗，组织学生就地躲避。",
    "evacuation": "按疏散图沿东、西两侧楼梯撤离至操场北侧集合点，避开事发区域；"
                  "低年级由班主任和副班主任前后带队。",
    "reporting": "事发后立即报告属地派出所（110）和区教育局安全科，30分钟内书面报告；"
                 "信息由办公室统一报送。",
    "aftermath": "伤员送医救治，通知家长，心理疏导；配合公安调查；总结教训，修订预案。",
}
EVACUATION = {
    "scenario": "evacuation", "title": "校园应急疏散预案",
    "command": "校长任总指挥，后勤保障中心负责人任现场指挥。",
    "groups": "疏散引导组：各楼层值周教师；清点组：各班班主任；救护组：校医。",
    "first_response": "听到警报后立即停止教学活动，教师组织学生弯腰掩口有序撤离。",
    "evacuation": "一楼走东门，二至四楼分走东、西楼梯，集合点为操场，按班级列队。",
    "reporting": "班主任清点后向年级组长报告，年级组长汇总报指挥部；必要时拨打119、120。",
    "aftermath": "清点无误后由总指挥宣布结束，总结疏散用时和问题。",
}


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _command(unit: Unit) -> Body:
    people = {p.name: p for p in Person.objects.filter(unit=unit)}
    hq = services.create_record(None, Body, {
        "unit": unit, "kind": "command_hq", "name": "反恐怖应急指挥部", "seat": "南门卫室",
        "duties": "统一指挥突发事件的先期处置\n启动应急预案，调动各处置小组"})
    group = services.create_record(None, Body, {
        "unit": unit, "kind": "order_group", "name": "秩序维护组",
        "duties": "封锁现场，疏散人群，维护秩序"})
    for body, members in ((hq, [("张红梅", "commander"), ("姚建法", "deputy_commander")]),
                          (group, [("郭建刚", "leader"), ("杨阳", "member")])):
        for name, role in members:
            if name in people:
                services.create_record(None, Membership, {
                    "unit": unit, "body": body, "person": people[name], "role": role})
    return hq


def _drill_days(unit: Unit, today: dt.date) -> list[dt.date]:
    """A day in each term of the school year so far, and in last year's."""
    terms = calendar.terms_for(unit.path, calendar.terms_by_path())
    days = []
    for _year, _n, start, end in terms:
        if start > today:
            continue
        day = start + dt.timedelta(days=min(45, ((min(end, today) - start).days) // 2))
        if day >= today - dt.timedelta(days=460):
            days.append(day)
    return days


@demo_part(75)
def plans_and_drills(units: dict[str, Unit]) -> None:
    today = timezone.localdate()
    xinqiao = units["xinqiao"]
    admin, principal = _user("xinqiao_admin"), _user("xinqiao_principal")
    hq = _command(xinqiao)
    first = services.create_record(admin, EmergencyPlan, {
        "unit": xinqiao, **KNIFE, "command_body": hq,
        "first_response": "门卫发现持刀人员立即报警，通知指挥部。"})
    emg.approve(principal, first, on=today - dt.timedelta(days=500))
    knife = services.create_record(admin, EmergencyPlan, {
        "unit": xinqiao, **KNIFE, "command_body": hq, "previous": first})
    emg.approve(principal, knife, on=today - dt.timedelta(days=120))
    evacuation = services.create_record(admin, EmergencyPlan, {"unit": xinqiao, **EVACUATION})
    emg.approve(principal, evacuation, on=today - dt.timedelta(days=90))
    first.refresh_from_db()
    knife.refresh_from_db()
    evacuation.refresh_from_db()
    for name in ("xinqiao_guard", "xinqiao_principal"):
        emg.acknowledge(_user(name), knife)
    for name in ("xinqiao_guard", "xinqiao_teacher"):
        emg.acknowledge(_user(name), evacuation)

    days = _drill_days(xinqiao, today)
    drill = None
    for i, day in enumerate(days):
        last = i == len(days) - 1
        drill = services.create_record(admin, Drill, {
            "unit": xinqiao, "held_on": day,
            "scenario": "knife_attack" if i % 2 == 0 else "evacuation",
            "plan": (knife if day >= knife.approved_on else first) if i % 2 == 0 else (
                evacuation if day >= evacuation.approved_on else None),
            "counter_terrorism": i % 2 == 0, "participants": 680 + 10 * i,
            "duration_minutes": 25, "evacuation_seconds": 200 - 10 * i,
            "accounting_minutes": 6,
            "problems": "西侧楼梯口疏散时拥堵\n南门卫室钢叉存放位置不便取用" if last else "",
            "summary": "演练按预案进行，各小组到位及时。"})
    _plan_drills(xinqiao, admin, knife, evacuation, today)
    if drill is None:
        return
    emg.hazard_from_drill(admin, drill, drill.problem_list[0])
    start = timezone.make_aware(dt.datetime.combine(drill.held_on, dt.time(10, 5)))
    rnd = services.create_record(admin, AccountingRound, {
        "unit": xinqiao, "reason": "drill", "drill": drill, "started_at": start,
        "note": "疏散至操场后按班级清点"})
    teacher, guard = _user("xinqiao_teacher"), _user("xinqiao_guard")
    for who, group, enrolled, present, missing, injured in [
            (teacher, "一年级一班", 42, 42, 0, 0), (teacher, "三年级二班", 45, 44, 1, 0),
            (admin, "五年级三班", 46, 46, 0, 1), (guard, "后勤保障中心", 12, 12, 0, 0)]:
        emg.report(who, rnd, {"group_name": group, "enrolled": enrolled,
                              "present": present, "missing": missing, "injured": injured})
    emg.close_round(admin, rnd, at=start + dt.timedelta(minutes=14))


def _plan_drills(unit: Unit, admin: User, knife: EmergencyPlan, evacuation: EmergencyPlan,
                 today: dt.date) -> None:
    """The rest of the school year's plan: an evacuation drill this week (home work),
    and a counter-terrorism drill in the middle of the next term."""
    terms = calendar.terms_for(unit.path, calendar.terms_by_path())
    later = [start + (end - start) / 2 for _y, _n, start, end in terms if start > today]
    for day, scenario, plan, ct, note in [
            (today + dt.timedelta(days=5), "evacuation", evacuation, False, "全校紧急疏散演练"),
            (min(later, default=today + dt.timedelta(days=90)), "knife_attack", knife, True,
             "反恐防暴演练，邀请派出所民警指导")]:
        services.create_record(admin, PlannedDrill, {
            "unit": unit, "planned_on": day, "scenario": scenario, "plan": plan,
            "counter_terrorism": ct, "note": note})
