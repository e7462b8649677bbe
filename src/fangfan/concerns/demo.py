"""The demo's ledger (INF-4): one open entry at 新桥实验小学 with its weekly contacts,
kept by the liaison of the organisation demo (杨阳). The ledger permission is granted to
the demo principal only (by the school's administrator), so the other demo accounts show
that without it the ledger is nowhere to be seen. The person is fictitious."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.concerns.models import ConcernEntry, ContactLog, LedgerAccess
from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit, User
from fangfan.organisation.models import Liaison

CONTACTS = [
    (24, "in_person", "与本人谈话，说明学校工作纪律和网络信息管理规定，本人表示认识到问题。"),
    (17, "department", "向后勤保障中心了解：本周按时到岗，未再进入与岗位无关的区域。"),
    (10, "phone", "电话了解近况，工作群内未再转发类似内容。"),
    (3, "in_person", "当面交流，情绪平稳，工作正常。"),
]


@demo_part(85)  # after the organisation's liaison (40)
def ledger(units: dict[str, Unit]) -> None:
    unit = units["xinqiao"]
    admin = User.objects.get(username="xinqiao_admin")
    principal = User.objects.get(username="xinqiao_principal")
    services.create_record(admin, LedgerAccess, {
        "unit": unit, "user": principal, "note": "校长、反恐怖防范第一责任人"})
    principal = User.objects.get(pk=principal.pk)  # with the new grant
    today = timezone.localdate()
    liaison = Liaison.objects.filter(unit=unit).select_related("person").first()
    entry = services.create_record(principal, ConcernEntry, {
        "unit": unit, "person_name": "陈某（食堂临聘人员）",
        "observed": "多次在非工作时间进入配电室、监控室附近，被询问时称“随便看看”；"
                    "在同事工作群转发宣扬暴力的视频，经提醒后又转发一次。",
        "reason": "反复出现在与岗位无关的重点部位附近，并传播宣扬暴力的内容。",
        "source": "staff_report", "opened_on": today - dt.timedelta(days=30),
        "liaison": liaison, "review_on": today + dt.timedelta(days=60)})
    for days, method, note in CONTACTS:
        services.create_record(principal, ContactLog, {
            "unit": unit, "entry": entry, "contacted_on": today - dt.timedelta(days=days),
            "method": method, "contacted_by": liaison.person, "note": note})
