"""Demo data of incidents (EMG-4): 新桥's reporting limits and its one-key alarm at the
south gate, and a closed incident — a man with a knife stopped at the gate — with its
timeline, its reports (the one to the education bureau late), the response groups'
tasks, an approved statement, the aftermath summary and lessons."""
from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit, User
from fangfan.incidents.models import (
    AlarmDevice,
    ExternalReport,
    Incident,
    IncidentEvent,
    ReportingLimit,
    Statement,
)
from fangfan.organisation.models import Body
from fangfan.resources.models import Location, Person

GROUPS = [("order_group", "秩序维护组", "封锁现场，疏散人群，维护秩序"),
          ("medical_group", "伤员救治组", "请求120支援，先期救治伤员"),
          ("rescue_group", "抢险救灾组", "营救师生，抢险救灾"),
          ("stability_group", "维护稳定组", "配合综治办、公安机关加强要害部位控制"),
          ("aftermath_group", "善后处置组", "安抚师生和家长，配合侦破，总结经验教训")]


def _user(name: str) -> User:
    return User.objects.get(username=name)


@demo_part(76)  # after the emergency app's command HQ and order group (75)
def incidents(units: dict[str, Unit]) -> None:
    xinqiao = units["xinqiao"]
    guard, admin = _user("xinqiao_guard"), _user("xinqiao_admin")
    principal = _user("xinqiao_principal")
    for kind, name, duties in GROUPS:  # seed 002: the five groups under the command HQ
        if not Body.objects.filter(unit=xinqiao, kind=kind).exists():
            services.create_record(None, Body, {"unit": xinqiao, "kind": kind, "name": name,
                                                "duties": duties})
    services.create_record(admin, ReportingLimit, {
        "unit": xinqiao, "general_minutes": 120, "major_minutes": 60,
        "basis": "新桥实验小学突发事件信息报告制度"})
    gate = Location.objects.filter(unit=xinqiao, name="南校门").first()
    # The secret is the device's; an administrator sets the real one (never shown back).
    services.create_record(admin, AlarmDevice, {
        "unit": xinqiao, "name": "南门一键报警", "location": gate,
        "secret": secrets.token_urlsafe(32)})

    day = timezone.localdate() - dt.timedelta(days=12)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 35)))
    incident = services.create_record(guard, Incident, {
        "unit": xinqiao, "title": "一男子持刀欲从南门闯入校园，被保安制止", "location": gate,
        "severity": "major", "occurred_at": at,
        "description": "早晨入校高峰，一名男子手持水果刀欲从南门进入，门卫黄建刚、王建国"
                       "用钢叉将其控制，无人员受伤。"})
    # The first entries (alerted, groups activated) are stamped now by the services: the
    # demo puts them at the minute after the report, as if it had happened then.
    _backdate(incident, at + dt.timedelta(minutes=1))
    step = {"unit": xinqiao, "incident": incident}
    for minutes, what in [(3, "保安用钢叉将男子控制在南门外，关闭校门"),
                          (4, "姚建法副校长到达南门，启动应急预案"),
                          (12, "三井派出所民警到场，将男子带走调查"),
                          (30, "各年级正常上课，班主任向学生做简短说明")]:
        services.create_record(admin, IncidentEvent,
                               {**step, "at": at + dt.timedelta(minutes=minutes), "what": what})
    for minutes, recipient, who, ref in [
            (2, "police", "黄建刚", "110接警单 0731号"),
            (40, "governance", "姚建法", ""),
            (95, "education", "郭建刚", "新北区教育局安全科")]:  # late: major, 60 minutes
        services.create_record(admin, ExternalReport, {
            **step, "recipient": recipient, "reported_by": who, "reference": ref,
            "reported_at": at + dt.timedelta(minutes=minutes)})
    notes = {"order_group": "南门已封闭，学生由东门有序入校",
             "medical_group": "无人员受伤",
             "stability_group": "配合民警调取南门监控",
             "aftermath_group": "已向家长发布说明，心理老师到班"}
    for task in incident.tasks.select_related("group"):
        note = notes.get(task.group.kind, "")
        services.update_record(admin, task, {"done": True, "note": note,
                                             "done_at": at + dt.timedelta(minutes=50)})
    _backdate(incident, at + dt.timedelta(minutes=50))
    spokesperson = Person.objects.filter(unit=xinqiao, name="姚建法").first()
    if spokesperson is not None:
        st = services.create_record(admin, Statement, {
            **step, "spokesperson": spokesperson,
            "text": "今晨7时35分，一名男子持刀欲进入我校，被学校保安当即制止，无人员受伤。"
                    "公安机关已将其带走调查。学校教学秩序正常。"})
        services.update_record(principal, st, {"approved": True})
        _backdate(incident, at + dt.timedelta(hours=2, minutes=50))
        Statement.objects.filter(pk=st.pk).update(approved_at=at + dt.timedelta(hours=2,
                                                                               minutes=50))
        services.update_record(admin, st, {"released_at": at + dt.timedelta(hours=3)})
    services.update_record(admin, incident, {
        "status": "closed",
        "aftermath": "民警依法将该男子带走；学校向家长发布情况说明，心理老师到班疏导；"
                     "南门监控录像已提交公安机关。",
        "lessons": "早高峰南门仅两名保安，人员偏紧，增派一名教师护学岗；"
                   "向教育局报告超过1小时时限，明确由安全办在30分钟内报送。"})


def _backdate(incident: Incident, when: dt.datetime) -> None:
    """Entries the services stamped now, put at the time the demo story has them."""
    IncidentEvent.objects.filter(incident=incident, at__gt=timezone.now()
                                 - dt.timedelta(minutes=5)).update(at=when)


@demo_part(78)  # after the patrols (77)
def suspicious_reports(units: dict[str, Unit]) -> None:
    """A teacher's report of a man filming the south gate at dismissal, being watched."""
    from fangfan.incidents.models import SuspiciousReport

    xinqiao = units["xinqiao"]
    day = timezone.localdate() - dt.timedelta(days=2)
    report = services.create_record(_user("xinqiao_teacher"), SuspiciousReport, {
        "unit": xinqiao, "reported_at": timezone.make_aware(
            dt.datetime.combine(day, dt.time(16, 20))),
        "location": Location.objects.filter(unit=xinqiao, name="南校门").first(),
        "place": "南门对面公交站",
        "what": "放学时一名陌生男子在校门对面长时间用手机拍摄学生",
        "person_description": "男，约35岁，身高约1.75米，灰色连帽衫，黑色双肩包"})
    services.update_record(_user("xinqiao_admin"), report, {
        "status": "watching",
        "assessment": "已告知门卫和护学岗民警留意，调取南门监控备查；如再次出现即上报派出所"})
