"""The demo's people, locations and assets (seed 000's 新桥实验小学 and 春江中学 with its
gaps), their checks and their upkeep, 新桥's security budget, chemicals cabinet and
school bus: the resources part of `fangfan.core.demo`."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fangfan.core import services
from fangfan.core.demo import demo_part, phone
from fangfan.core.models import Unit, User
from fangfan.resources.models import (
    AlarmTest,
    Asset,
    BackgroundCheck,
    BudgetLine,
    BusDriver,
    BusInspection,
    BusRoute,
    Certificate,
    Fault,
    HazmatItem,
    HazmatMovement,
    HazmatStore,
    Location,
    MaintenanceSchedule,
    Person,
    SchoolBus,
    SecurityBudget,
)

# Seed 000, leadership group and appendix 5 (names and posts; phones fictitious).
XINQIAO_PEOPLE = [
    ("张红梅", "校长", "校长室", "staff", False),
    ("姚建法", "副校长（分管安全）", "校长室", "staff", False),
    ("张丽", "副校长", "校长室", "staff", False),
    ("高春媛", "副校长", "校长室", "staff", False),
    ("章丽红", "副校长", "校长室", "staff", False),
    ("郭建刚", "后勤保障中心主任", "后勤保障中心", "staff", False),
    ("杨阳", "后勤保障中心副主任", "后勤保障中心", "staff", False),
    ("黄建刚", "保安队长", "保安队", "security_company", True),
    ("黄益芬", "教师", "教务处", "staff", False),
    ("周雨龙", "教师", "教务处", "staff", False),
    ("刘宇婷", "教师", "教务处", "staff", False),
    ("赵海琴", "教师", "德育处", "staff", False),
    ("叶凌", "教师", "德育处", "staff", False),
    ("殷娟", "教师", "教务处", "staff", False),
    ("苗小芬", "教师", "教务处", "staff", False),
    ("黄桂华", "教师", "德育处", "staff", False),
    ("罗雯娟", "教师", "教务处", "staff", False),
    ("刘梦娇", "教师", "教务处", "staff", False),
    ("孙雯嘉", "教师", "教务处", "staff", False),
    ("王建国", "保安员", "保安队", "security_company", True),
    ("李卫东", "保安员", "保安队", "security_company", True),
    ("陈志强", "保安员", "保安队", "security_company", True),
]

# The demo accounts of 新桥 and the people they are (core.demo.USERS): a guard who signs
# in sees their own shifts, without a name and phone typed a second time.
XINQIAO_ACCOUNTS = {"郭建刚": "xinqiao_admin", "张红梅": "xinqiao_principal",
                    "黄建刚": "xinqiao_guard", "黄益芬": "xinqiao_teacher"}

# Seed 000 section 4 (important locations) and the places its appendix tables name.
XINQIAO_LOCATIONS = [
    ("南校门", "main_gate", True, True),
    ("南门卫", "gate_duty_room", True, False),
    ("食堂", "canteen", True, False),
    ("学生饮水处", "drinking_water", True, False),
    ("配电房", "power_room", True, False),
    ("监控中心", "control_room", True, False),
    ("信息中心", "information_centre", True, False),
    ("周界", "perimeter", False, False),
    ("办公室", "other", False, False),
    ("应急中心", "other", False, False),
]

# Seed 000 appendices 3 (物防) and 4 (技防): category, name, location, quantity, attributes.
XINQIAO_ASSETS: list[tuple[str, str, str | None, int, dict[str, Any]]] = [
    ("warning_sign", "警示（警戒）标志", "南校门", 4, {}),
    ("wall_fence", "围墙", "周界", 1, {}),
    ("anti_climb_fence", "防爬围栏", "周界", 1, {}),
    ("security_door", "防盗安全门", "南校门", 1, {}),
    ("vehicle_barrier", "防冲撞石球", "南校门", 6, {}),
    ("helmet", "防爆头盔", "南门卫", 2, {}),
    ("shield", "防暴盾牌", "南门卫", 2, {}),
    ("stab_vest", "防刺背心", "南门卫", 2, {}),
    ("cut_gloves", "防割手套", "南门卫", 2, {}),
    ("baton", "橡胶警棍", "南门卫", 2, {}),
    ("strong_flashlight", "强光手电", "南门卫", 2, {}),
    ("defence_spray", "防卫喷雾", "南门卫", 2, {}),
    ("steel_fork", "安全钢叉", "南门卫", 2, {}),
    ("seal", "封条", None, 50, {}),
    ("temporary_barrier", "临时栅栏", "南校门", 4, {}),
    ("towels_masks", "毛巾、口罩", "办公室", 100, {}),
    ("walkie_talkie", "对讲机", "应急中心", 6, {}),
    ("flashlight", "电筒", "应急中心", 6, {}),
    ("fire_equipment", "消防器材", "食堂", 12, {}),
    ("baggage_storage", "行包寄存柜", "南校门", 1, {"distance_to_key_m": 35}),
    ("lighting", "校门照明", "南校门", 4, {"night_capable": True}),
    ("control_room_system", "安防系统", "监控中心", 1, {}),
    ("camera", "校门摄像机", "南校门", 4,
     {"night_capable": True, "identifies_faces": True, "identifies_plates": True}),
    ("camera", "食堂摄像机", "食堂", 3, {"night_capable": True}),
    ("camera", "饮水处摄像机", "学生饮水处", 1, {"night_capable": True}),
    ("camera", "配电房摄像机", "配电房", 1, {"night_capable": True}),
    ("camera", "信息中心摄像机", "信息中心", 1, {"night_capable": True}),
    # Networked to the police video platform (seed 004, 与公安机关联网).
    ("recorder", "图像记录与回放装置", "监控中心", 2,
     {"retention_days": 90, "police_networked": True}),
    ("intrusion_detector", "周界入侵探测器", "周界", 8, {}),
    ("emergency_button", "紧急报警装置", "监控中心", 1, {"police_networked": True}),
    ("alarm_controller", "报警控制器", "监控中心", 1, {}),
    ("alarm_display", "终端图形显示装置", "监控中心", 1, {}),
    ("access_control", "出入口控制装置", "南校门", 1, {}),
    ("one_key_alarm", "一键报警装置", "南门卫", 1, {"police_networked": True}),
    ("info_processing", "信息处理装置", "监控中心", 1, {}),
    ("vehicle_gps", "检修抢修车辆定位", None, 1, {}),
]

# 春江中学: a boarding secondary school whose records show real gaps (too few full-time
# guards for its headcount and boarders; 30-day video although it is a key target; video
# not networked to the police).
CHUNJIANG_PEOPLE = [
    ("周明", "副校长（分管安全）", "校长室", "staff", False, True),
    ("钱国平", "保安队长", "保安队", "security_company", True, True),
    ("孙立军", "保安员", "保安队", "security_company", True, True),
    ("吕志华", "保安员", "保安队", "security_company", True, True),
    ("郑小川", "保安员", "保安队", "part_time", True, False),
]
CHUNJIANG_LOCATIONS = [
    ("东校门", "main_gate", True, True),
    ("门卫室", "gate_duty_room", True, False),
    ("学生宿舍", "dormitory", True, False),
    ("化学实验室", "lab", True, False),
]
CHUNJIANG_ASSETS: list[tuple[str, str, str | None, int, dict[str, Any]]] = [
    ("camera", "校门摄像机", "东校门", 2,
     {"night_capable": True, "identifies_faces": True, "identifies_plates": False}),
    # Not networked to the police yet: a gap of R-DEADLINE's "four 100%".
    ("recorder", "录像机", None, 1, {"retention_days": 30, "police_networked": False}),
    ("one_key_alarm", "一键报警装置", "门卫室", 1, {"police_networked": True}),
    ("lighting", "校门照明", "东校门", 10, {"night_capable": True}),
]


@demo_part(20)
def schools(units: dict[str, Unit]) -> None:
    _load_school(units["xinqiao"], XINQIAO_PEOPLE, XINQIAO_LOCATIONS, XINQIAO_ASSETS,
                 accounts=XINQIAO_ACCOUNTS)
    _load_school(units["chunjiang"], CHUNJIANG_PEOPLE, CHUNJIANG_LOCATIONS, CHUNJIANG_ASSETS,
                 first_phone=300)


@demo_part(50)
def checks(units: dict[str, Unit]) -> None:
    _load_checks(units["xinqiao"])


@demo_part(60)
def upkeep(units: dict[str, Unit]) -> None:
    _load_upkeep(units["xinqiao"], units["chunjiang"])


def _load_school(unit: Unit, people: list, locations: list, assets: list,
                 first_phone: int = 100, accounts: dict[str, str] | None = None) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=(accounts or {}).values())}
    for i, (name, post, dept, employment, guard, *full) in enumerate(people, start=first_phone):
        services.create_record(None, Person, {
            "unit": unit, "name": name, "post": post, "department": dept, "phone": phone(i),
            "employment_type": employment, "is_guard": guard, "full_time": full != [False],
            "user": users.get((accounts or {}).get(name, ""))})
    places = {}
    for name, kind, key, main in locations:
        places[name] = services.create_record(None, Location, {
            "unit": unit, "name": name, "kind": kind, "is_key": key, "is_main_entrance": main})
    for category, name, place, qty, attrs in assets:
        services.create_record(None, Asset, {
            "unit": unit, "category": category, "name": name,
            "location": places.get(place) if place else None, "quantity": qty, **attrs})


def _load_upkeep(xinqiao: Unit, chunjiang: Unit) -> None:
    """A passed alarm test at 新桥; an overdue camera fault at 春江 (an R-FAULT gap)."""
    for asset in Asset.objects.filter(unit=xinqiao, category__in=["recorder", "camera"]):
        services.create_record(None, MaintenanceSchedule, {
            "unit": xinqiao, "asset": asset, "kind": "inspection", "every_days": 90,
            "last_done_on": timezone.localdate() - dt.timedelta(days=30)})
    alarm = Asset.objects.get(unit=xinqiao, category="one_key_alarm")
    services.create_record(None, AlarmTest, {
        "unit": xinqiao, "asset": alarm, "tested_at": timezone.now() - dt.timedelta(days=3),
        "answered": True, "response_seconds": 18, "tested_by": "黄建刚"})
    camera = Asset.objects.get(unit=chunjiang, category="camera")
    services.create_record(None, Fault, {
        "unit": chunjiang, "asset": camera,
        "reported_at": timezone.now() - dt.timedelta(hours=40),
        "description": "校门摄像机夜间画面全黑", "temporary_measure": "夜间增派保安在东校门值守"})


def _load_checks(unit: Unit) -> None:
    """Yearly background checks of everyone at 新桥 (done at the start of the school year)
    and guard licences, one of them expiring soon (a reminder to see)."""
    today = timezone.localdate()
    checked = min(today, dt.date(today.year, 9, 1)) if today.month >= 9 else \
        dt.date(today.year - 1, 9, 1)
    n = 0  # guard licences issued so far
    for person in Person.objects.filter(unit=unit).order_by("pk"):
        services.create_record(None, BackgroundCheck, {
            "unit": unit, "person": person, "kind": "yearly", "checked_on": checked,
            "checked_by": "新桥派出所"})
        if person.is_guard:
            services.create_record(None, Certificate, {
                "unit": unit, "person": person, "kind": "guard_licence",
                "number": f"苏常保{2024000 + n}", "issued_on": dt.date(2024, 3, 1),
                "expires_on": today + dt.timedelta(days=20 if n == 0 else 700)})
            n += 1


@demo_part(62)
def funding_hazmat_buses(units: dict[str, Unit]) -> None:
    """新桥: this year's security budget with its lines (res-funding met); the science
    lab's chemicals cabinet under two custodians with a log signed by both (res-hazmat
    met); a school bus whose annual inspection is five days overdue (res-bus unmet, and
    home-page work) with a driver whose qualification expires in 20 days (res-bus-driver
    met, and a reminder to renew)."""
    xinqiao = units["xinqiao"]
    _load_budget(xinqiao)
    _load_hazmat(xinqiao)
    _load_bus(xinqiao)


def _load_budget(unit: Unit) -> None:
    today = timezone.localdate()
    budget = services.create_record(None, SecurityBudget, {
        "unit": unit, "year": today.year, "budgeted": Decimal("186000"),
        "note": "区教育局批复的学校安全专项经费"})
    gear = Asset.objects.filter(unit=unit, category="helmet").first()
    for item, category, planned, spent, asset in [
            ("防暴器械更新", "equipment", "12000", "11560", gear),
            ("保安服务费（4名保安）", "guards", "144000", "108000", None),
            ("反恐防暴培训与演练", "training", "8000", "3200", None),
            ("技防系统维保", "maintenance", "22000", "11000", None)]:
        services.create_record(None, BudgetLine, {
            "unit": unit, "budget": budget, "item": item, "category": category,
            "budgeted": Decimal(planned), "spent": Decimal(spent), "asset": asset})


# Material, category, unit of measure, and its log: kind, quantity, days ago, purpose,
# who received or returned it.
XINQIAO_CHEMICALS = [
    ("无水乙醇", "flammable", "ml", [
        ("receipt", "2000", 60, "学期采购入库", ""),
        ("issue", "250", 10, "酒精灯加注（四年级科学课）", "黄益芬"),
        ("return", "50", 9, "课后归还剩余", "黄益芬")]),
    ("稀盐酸", "corrosive", "ml", [
        ("receipt", "500", 60, "学期采购入库", ""),
        ("issue", "100", 3, "五年级科学实验", "殷娟")]),
    ("高锰酸钾", "oxidising", "g", [("receipt", "250", 60, "学期采购入库", "")]),
]


def _load_hazmat(unit: Unit) -> None:
    """The lab is a key location (R-TECH asks for its camera and intrusion detector)."""
    lab = services.create_record(None, Location, {
        "unit": unit, "name": "科学实验室", "kind": "lab", "is_key": True})
    for category, name in [("camera", "实验室摄像机"), ("intrusion_detector", "实验室入侵探测器")]:
        services.create_record(None, Asset, {"unit": unit, "category": category, "name": name,
                                             "location": lab, "quantity": 1})
    first, second = (Person.objects.get(unit=unit, name=n) for n in ("刘宇婷", "周雨龙"))
    store = services.create_record(None, HazmatStore, {
        "unit": unit, "name": "化学药品柜", "location": lab, "custodian_1": first,
        "custodian_2": second, "notes": "双人双锁，钥匙分别由两名保管人保管"})
    now = timezone.now()
    for name, category, measure, log in XINQIAO_CHEMICALS:
        item = services.create_record(None, HazmatItem, {
            "unit": unit, "store": store, "name": name, "category": category,
            "measure": measure})
        for kind, qty, days_ago, purpose, recipient in log:
            services.create_record(None, HazmatMovement, {
                "unit": unit, "item": item, "kind": kind, "quantity": Decimal(qty),
                "moved_at": now - dt.timedelta(days=days_ago), "purpose": purpose,
                "recipient": recipient, "signed_by_1": first, "signed_by_2": second})


def _load_bus(unit: Unit) -> None:
    today = timezone.localdate()
    driver = services.create_record(None, Person, {
        "unit": unit, "name": "钱国强", "post": "校车驾驶员", "department": "后勤保障中心",
        "phone": phone(140), "employment_type": "contract"})
    services.create_record(None, BackgroundCheck, {
        "unit": unit, "person": driver, "kind": "hiring",
        "checked_on": today - dt.timedelta(days=40), "checked_by": "新桥派出所"})
    services.create_record(None, Certificate, {
        "unit": unit, "person": driver, "kind": "school_bus_driver", "number": "苏D校驾0318",
        "issued_on": dt.date(today.year - 3, 9, 1),
        "expires_on": today + dt.timedelta(days=20)})
    services.create_record(None, BusDriver, {"unit": unit, "person": driver,
                                             "licence_class": "A1"})
    bus = services.create_record(None, SchoolBus, {
        "unit": unit, "plate": "苏D·X2618", "seats": 35,
        "operator": "常州新北公交校车有限公司",
        "inspection_due_on": today - dt.timedelta(days=5),
        "insured_until": today + dt.timedelta(days=200),
        "safety_manager": Person.objects.get(unit=unit, name="杨阳"), "gps": True})
    services.create_record(None, BusInspection, {
        "unit": unit, "bus": bus, "done_on": today - dt.timedelta(days=370),
        "kind": "annual_inspection", "result": "passed",
        "next_due_on": today - dt.timedelta(days=5), "done_by": "常州市机动车检测站"})
    services.create_record(None, BusInspection, {
        "unit": unit, "bus": bus, "done_on": today - dt.timedelta(days=30),
        "kind": "maintenance", "result": "passed", "done_by": "新北汽修厂",
        "note": "更换刹车片，检查安全锤和灭火器"})
    services.create_record(None, BusRoute, {
        "unit": unit, "name": "新桥东线", "bus": bus, "driver": driver,
        "stops": "新桥镇政府\n新桥花园\n大观园小区\n学校南门",
        "morning_departure": dt.time(6, 50), "afternoon_departure": dt.time(16, 20)})
