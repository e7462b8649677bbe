"""Demo data of the gate (OPS-4) at 新桥: today's visitors — one left, one inside, one
to the monitoring centre (a key location) waiting for the principal's approval, one
waiting for its host — a link for the school website, a watch-list entry, a canteen
supplier's and a builder's passes, the registry's vehicles and the morning's entries,
and a grandparent authorised to pick up a first-year pupil."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit, User
from fangfan.gate import services as gate
from fangfan.gate.models import (
    GatePass,
    Pickup,
    PickupAuthorisation,
    Vehicle,
    VehicleEntry,
    Visit,
    VisitorLink,
    WatchEntry,
)
from fangfan.resources.models import Location, Person


def _visit(actor, unit, host, minutes: int, **data) -> Visit:
    return services.create_record(actor, Visit, {
        "unit": unit, "host": host,
        "expected_at": timezone.now() + dt.timedelta(minutes=minutes), **data})


@demo_part(90)
def gate_demo(units: dict[str, Unit]) -> None:
    xinqiao = units["xinqiao"]
    users = {u.username: u for u in User.objects.filter(username__startswith="xinqiao_")}
    admin, principal = users["xinqiao_admin"], users["xinqiao_principal"]
    guard, teacher = users["xinqiao_guard"], users["xinqiao_teacher"]
    people = {p.name: p for p in Person.objects.filter(unit=xinqiao)}
    places = {p.name: p for p in Location.objects.filter(unit=xinqiao)}
    host = people.get("黄益芬") or next(iter(people.values()))
    office = people.get("郭建刚") or host

    done = _visit(teacher, xinqiao, host, 0, visitor_name="周志明", phone="13812340001",
                  company="区教研室", purpose="听课评课")
    if done.status != "confirmed":  # the host's account is not linked to the person
        gate.confirm(admin, done)
    gate.check_in(guard, done, "id_card", True, "110101199003077571")
    gate.check_out(guard, done)
    inside = _visit(admin, xinqiao, office, 0, visitor_name="吴海波", phone="13812340002",
                    company="新桥食品配送公司", purpose="送交食材检验报告",
                    vehicle_plate="浙A12345", items_carried="蔬菜、肉类各若干箱",
                    destination=places.get("办公室"))
    gate.confirm(admin, inside)
    gate.check_in(guard, inside, "driving", True)
    _visit(teacher, xinqiao, host, 120, visitor_name="孙立新", phone="13812340003",
           company="安防工程公司", purpose="监控中心设备检修",
           destination=places.get("监控中心"), items_carried="工具包一个")
    _visit(None, xinqiao, host, 240, visitor_name="钱晓燕", phone="13812340004",
           purpose="学生家长，商谈孩子转学事宜")

    services.create_record(admin, VisitorLink, {"unit": xinqiao, "name": "学校网站",
                                                "host": office})
    services.create_record(principal, WatchEntry, {
        "unit": xinqiao, "name": "赵某某", "plate": "浙B54321",
        "reason": "法院人身安全保护令：禁止接近其子女（二年级学生），发现即报告值班领导并报警",
        "until": timezone.localdate() + dt.timedelta(days=365)})

    today = timezone.localdate()
    services.create_record(admin, GatePass, {
        "unit": xinqiao, "kind": "contractor", "holder_name": "吴海波",
        "company": "新桥食品配送公司", "valid_from": today - dt.timedelta(days=60),
        "valid_until": today + dt.timedelta(days=120), "areas": "食堂后门、食堂库房"})
    services.create_record(admin, GatePass, {
        "unit": xinqiao, "kind": "contractor", "holder_name": "陈国庆",
        "company": "城建装饰工程公司", "valid_from": today - dt.timedelta(days=10),
        "valid_until": today + dt.timedelta(days=20), "areas": "教学楼三楼工地"})

    for plate, owner, kind in (("浙A88888", "张红梅", "staff_car"),
                               ("浙AD12345", "郭建刚", "staff_car"),
                               ("浙A12345", "吴海波", "delivery")):
        services.create_record(admin, Vehicle, {"unit": xinqiao, "plate": plate,
                                                "owner_name": owner, "kind": kind})
    morning = timezone.now() - dt.timedelta(hours=2)
    services.create_record(guard, VehicleEntry, {"unit": xinqiao, "plate": "浙A88888",
                                                 "entered_at": morning})
    services.create_record(guard, VehicleEntry, {"unit": xinqiao, "plate": "浙A12345",
                                                 "entered_at": timezone.now(),
                                                 "visit": inside})

    services.create_record(teacher, PickupAuthorisation, {
        "unit": xinqiao, "child_name": "刘小雨", "class_name": "一年级2班",
        "adult_name": "刘建国", "adult_phone": "13900000002", "relation": "祖父",
        "valid_until": today + dt.timedelta(days=180)})
    services.create_record(guard, Pickup, {
        "unit": xinqiao, "child_name": "刘小雨", "class_name": "一年级2班",
        "adult_name": "刘建国", "picked_up_at": timezone.now() - dt.timedelta(days=1)})
