"""Demo data of alert levels (issue 11): the district raises level II for its schools;
新桥 has acknowledged it and done half of its measures; 春江中学 has not acknowledged."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.alerts import services as alerts
from fangfan.alerts.models import AlertMeasure, AlertOrder, UnitAlert
from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit, User


@demo_part(80)
def alert_level(units: dict[str, Unit]) -> None:
    if AlertOrder.objects.filter(unit=units["xinbei"]).exists():
        return
    district = User.objects.get(username="xinbei_supervisor")
    admin = User.objects.get(username="xinqiao_admin")
    now = timezone.now()
    order = services.create_record(district, AlertOrder, {
        "unit": units["xinbei"], "level": 3, "kinds": ["school"],
        "reason": "市反恐办通报：近期外地发生校园持刀伤人案件，辖区学校即日起提升防范等级。",
        "starts_at": now - dt.timedelta(hours=3), "ends_at": now + dt.timedelta(days=7)})
    alerts.change_level(district, order, 2)  # raised from level III to level II
    mine = UnitAlert.objects.get(order=order, unit=units["xinqiao"])
    alerts.acknowledge(admin, mine)
    measures = list(AlertMeasure.objects.filter(unit_alert=mine).order_by("number"))
    notes = {"lead": "副校长姚建法带班", "guards": "已增派保安，在岗7人",
             "comms": "对讲机、值班电话24小时畅通", "entrances": "南校门加强查验",
             "checks": "来访人员逐一登记核查"}
    for m in measures[:len(measures) // 2]:
        alerts.report(admin, m, True, note=notes.get(m.code, "已落实"),
                      guards_on_duty=7 if m.code == "guards" else None)
