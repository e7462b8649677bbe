"""Demo data of inspections and hazards (issue 9): a month of self-inspections at 新桥,
a supervisory inspection by the district with a failed item, and hazards in every state
of their lifecycle, one overdue and escalated, one dispatched by the district, so the
district's board and the school's home page have something to show."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit, User
from fangfan.inspections import escalation
from fangfan.inspections import services as ins
from fangfan.inspections.models import Hazard, HazardStep, Inspection, ItemResult
from fangfan.resources.models import Location, Person


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _inspect(actor, unit: Unit, day: dt.date, failed: dict[int, str] | None = None,
             **fields) -> Inspection:
    insp = services.create_record(actor, Inspection, {"unit": unit, "inspected_on": day,
                                                      **fields})
    for f in insp.findings.all():
        note = (failed or {}).get(f.number, "")
        services.update_record(actor, f, {"result": ItemResult.FAIL if note
                                          else ItemResult.PASS, "note": note})
    ins.complete(actor, insp, on=day)
    return insp


def _step(actor, hazard: Hazard, kind: str, day: dt.date, **fields) -> None:
    services.create_record(actor, HazardStep, {"unit": hazard.unit, "hazard": hazard,
                                               "kind": kind, "done_on": day, **fields})
    hazard.refresh_from_db()


@demo_part(70)
def inspections_and_hazards(units: dict[str, Unit]) -> None:
    today = timezone.localdate()
    xinqiao, chunjiang = units["xinqiao"], units["chunjiang"]
    admin, teacher = _user("xinqiao_admin"), _user("xinqiao_teacher")
    guard, district = _user("xinqiao_guard"), _user("xinbei_supervisor")
    people = {p.name: p for p in Person.objects.filter(unit=xinqiao)}
    places = {p.name: p for p in Location.objects.filter(unit=xinqiao)}
    first_of_month = today.replace(day=1)
    last_month = (first_of_month - dt.timedelta(days=1)).replace(day=20)
    _inspect(admin, xinqiao, last_month, {4: "防割手套只有1副"}, kind="self",
             inspectors="郭建刚、黄建刚")
    _inspect(admin, xinqiao, max(first_of_month, today - dt.timedelta(days=3)),
             kind="self", inspectors="郭建刚、杨阳")
    visit = _inspect(district, xinqiao, today - dt.timedelta(days=12),
                     {3: "校门防冲撞石球缺少两个"}, kind="supervisory",
                     authority=units["xinbei"], inspectors="新北区教育局安全科")
    # A hazard from the district's inspection item, dispatched, being rectified.
    h = ins.hazard_from_finding(district, visit.findings.get(result="fail"), {
        "location": places["南校门"], "responsible": people["郭建刚"],
        "deadline": today + dt.timedelta(days=5), "measures": "采购并安装防冲撞石球"})
    # Reported by a guard, waiting to be assigned.
    services.create_record(guard, Hazard, {
        "unit": xinqiao, "title": "东侧围墙有攀爬痕迹", "location": places["周界"],
        "found_on": today - dt.timedelta(days=1), "found_by": "黄建刚",
        "description": "夜间巡逻发现围墙外侧有脚印"})
    # Rectified, waiting for verification.
    h = services.create_record(admin, Hazard, {
        "unit": xinqiao, "title": "配电房门锁损坏", "location": places["配电房"],
        "found_on": today - dt.timedelta(days=9), "responsible": people["杨阳"],
        "deadline": today + dt.timedelta(days=2), "measures": "更换门锁"})
    _step(teacher, h, "rectify", today - dt.timedelta(days=1), note="已更换为防盗锁")
    # Returned for rework.
    h = services.create_record(admin, Hazard, {
        "unit": xinqiao, "title": "食堂操作间监控角度偏移", "location": places["食堂"],
        "found_on": today - dt.timedelta(days=15), "responsible": people["杨阳"],
        "deadline": today + dt.timedelta(days=4), "measures": "调整摄像机角度"})
    _step(teacher, h, "rectify", today - dt.timedelta(days=6), note="已调整")
    _step(district, h, "return", today - dt.timedelta(days=5), note="仍未覆盖操作台")
    # Closed on time.
    h = services.create_record(admin, Hazard, {
        "unit": xinqiao, "title": "防割手套数量不足", "location": places["南门卫"],
        "found_on": last_month, "responsible": people["黄建刚"],
        "deadline": last_month + dt.timedelta(days=10), "measures": "补充采购"})
    _step(teacher, h, "rectify", last_month + dt.timedelta(days=6), note="已补充采购2副")
    _step(admin, h, "verify", last_month + dt.timedelta(days=7), note="数量已达标")
    # Overdue: escalated to the district by the worker below.
    services.create_record(admin, Hazard, {
        "unit": xinqiao, "title": "信息中心门禁失效", "location": places["信息中心"],
        "found_on": today - dt.timedelta(days=20), "responsible": people["杨阳"],
        "deadline": today - dt.timedelta(days=8), "measures": "联系厂家维修门禁"})
    # A task the district dispatched to 春江中学.
    services.create_record(district, Hazard, {
        "unit": chunjiang, "kind": "task", "title": "完成寄宿生宿舍夜间巡查制度修订",
        "found_on": today - dt.timedelta(days=4)})
    escalation.run(today)


@demo_part(71)
def notices_risks_and_periods(units: dict[str, Unit]) -> None:
    """The district's bulletin naming two schools (新桥 has read it, 春江 not yet), its
    risk templates with one taken into 新桥's register, and a sensitive period coming."""
    from fangfan.inspections.notices import (
        Notice,
        NoticeUnit,
        Risk,
        RiskTemplate,
        SensitivePeriod,
    )

    today = timezone.localdate()
    xinbei, xinqiao, chunjiang = units["xinbei"], units["xinqiao"], units["chunjiang"]
    district, admin = _user("xinbei_supervisor"), _user("xinqiao_admin")
    notice = services.create_record(district, Notice, {
        "unit": xinbei, "title": "关于本学期第一轮校园安全督导检查情况的通报",
        "published_on": today - dt.timedelta(days=2),
        "body": "各学校、幼儿园：区教育局近期对辖区学校开展了安全督导检查，现将情况通报如下。"
                "请各校对照问题清单，举一反三，按期整改到位。"})
    services.create_record(district, NoticeUnit, {
        "unit": xinbei, "notice": notice, "named": xinqiao, "mention": "commended",
        "note": "门卫值守规范，隐患整改及时"})
    services.create_record(district, NoticeUnit, {
        "unit": xinbei, "notice": notice, "named": chunjiang, "mention": "criticised",
        "note": "寄宿生宿舍夜间巡查记录不全"})
    services.viewed(_user("xinqiao_principal"), notice)  # 新桥 has read it
    templates = [services.create_record(district, RiskTemplate, {
        "unit": xinbei, "risk": risk, "likelihood": likelihood, "impact": impact,
        "controls": controls}) for risk, likelihood, impact, controls in [
        ("校外人员持械闯入校园", 2, 5, "门卫24小时值守，配齐防卫器械，一键报警联网"),
        ("上下学时段车辆冲撞人群", 2, 5, "校门设置防冲撞设施，护学岗民警和教师值守"),
        ("食品投毒或群体性食物中毒", 1, 5, "食堂操作间封闭管理，视频监控全覆盖，留样"),
        ("校园欺凌引发伤害", 3, 3, "班主任排查，心理辅导，欺凌事件报告制度")]]
    people = {p.name: p for p in Person.objects.filter(unit=xinqiao)}
    places = {p.name: p for p in Location.objects.filter(unit=xinqiao)}
    first = templates[0]
    services.create_record(admin, Risk, {
        "unit": xinqiao, "template": first, "risk": first.risk,
        "likelihood": first.likelihood, "impact": first.impact,
        "controls": first.controls, "location": places.get("南校门"),
        "owner": people.get("郭建刚"), "review_on": today + dt.timedelta(days=10)})
    services.create_record(district, SensitivePeriod, {
        "unit": xinbei, "name": "元旦假期", "starts_on": today + dt.timedelta(days=5),
        "ends_on": today + dt.timedelta(days=8), "reason": "元旦假期前后校园安全防范",
        "special_inspection": True, "leaders_on_duty": True})
