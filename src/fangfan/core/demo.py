"""Demo data: 新桥实验小学 of seed 000 under 常州市 / 新北区 authorities, with its people,
important locations and assets from the seed's appendices, a few more units, and one
demo user per role. Names and posts are the seed's; every phone number is fictitious
(138-0000-xxxx). Everything is written through the services, so it is audited."""
from __future__ import annotations

from typing import Any

from fangfan.core import services
from fangfan.core.models import Role, Unit, User
from fangfan.resources.models import Asset, Location, Person

DEMO_PASSWORD = "fangfan-demo"


def phone(n: int) -> str:
    """An obviously fictitious mobile number."""
    return f"1380000{n:04d}"


UNITS: list[dict[str, Any]] = [
    {"code": "changzhou", "parent": None, "name": "常州市教育局", "kind": "education_bureau",
     "address": "江苏省常州市", "contact_name": "市教育局安全处", "contact_phone": phone(1)},
    {"code": "xinbei", "parent": "changzhou", "name": "常州市新北区教育局",
     "kind": "education_bureau", "address": "江苏省常州市新北区",
     "contact_name": "区教育局安全科", "contact_phone": phone(2)},
    {"code": "xinqiao", "parent": "xinbei", "name": "常州市新北区新桥实验小学", "kind": "school",
     "stage": "primary", "locale": "city", "staff_count": 126, "student_count": 1870,
     "key_target_grade": 2, "address": "常州市新北区新桥街道", "contact_name": "郭建刚",
     "contact_phone": phone(16)},
    {"code": "chunjiang", "parent": "xinbei", "name": "常州市新北区春江中学", "kind": "school",
     "stage": "secondary", "locale": "town", "boarding": True, "staff_count": 168,
     "student_count": 2100, "boarder_count": 760, "key_target_grade": 3,
     "address": "常州市新北区春江镇", "contact_name": "周明", "contact_phone": phone(31)},
    {"code": "xixiashu", "parent": "xinbei", "name": "常州市新北区西夏墅中心幼儿园",
     "kind": "kindergarten", "stage": "kindergarten", "locale": "rural", "staff_count": 38,
     "student_count": 320, "address": "常州市新北区西夏墅镇", "contact_name": "吴芳",
     "contact_phone": phone(41)},
]

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
    ("recorder", "图像记录与回放装置", "监控中心", 2, {"retention_days": 90}),
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
# guards for its headcount and boarders; 30-day video although it is a key target).
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
    ("recorder", "录像机", None, 1, {"retention_days": 30}),
    ("one_key_alarm", "一键报警装置", "门卫室", 1, {"police_networked": True}),
    ("lighting", "校门照明", "东校门", 10, {"night_capable": True}),
]

# Seed 000 section 二: the leadership group, its office and the responsible department,
# with the duties the plan lists (names and roles are the seed's).
XINQIAO_BODIES: list[dict[str, Any]] = [
    {"kind": "leadership_group", "name": "反恐怖防范领导小组", "seat": "",
     "duties": "贯彻落实国家和上级主管部门有关反恐怖工作的法律、法规与规定\n"
               "组织、指挥和协调单位的反恐怖防范应急工作\n"
               "组织反恐怖防范工作方案和应急预案的编制、评审、修订和演练工作\n"
               "监督、管理防范体系的建设和运转情况\n"
               "协调外部应急资源和地方政府主管部门的关系",
     "members": [("张红梅", "leader", "反恐怖防范第一责任人"),
                 ("姚建法", "deputy_leader", "分管安全"),
                 ("张丽", "deputy_leader", ""), ("高春媛", "deputy_leader", ""),
                 ("章丽红", "deputy_leader", ""),
                 *[(name, "member", "") for name in (
                     "黄益芬", "周雨龙", "郭建刚", "刘宇婷", "赵海琴", "叶凌", "殷娟", "苗小芬",
                     "杨阳", "黄桂华", "罗雯娟", "刘梦娇", "孙雯嘉")]]},
    {"kind": "office", "name": "反恐怖防范办公室", "seat": "后勤保障中心",
     "duties": "负责指挥、协调和联络领导小组与各部门的各项工作\n"
               "负责统一协调反恐怖防范工作中的各类保障工作\n"
               "负责制定反恐怖防范工作应急预案\n"
               "负责收集保存督导检查和整改过程中的有关记录、证据",
     "members": [("郭建刚", "director", "")]},
    {"kind": "responsible_department", "name": "后勤保障中心", "seat": "后勤保障中心",
     "duties": "落实反恐怖防范日常工作，将任务分解到部门及岗位人员",
     "members": [("郭建刚", "responsible_person", "")]},
]
# Appendix 1: the external support unit (its phone is replaced by a fictitious one).
XINQIAO_SUPPORT = [("新桥派出所", "police", "2.5")]

# Seed 003: a sub-district whose departments share the work; duties summarised in our own
# words, areas of work as in its section 四 (ORG-2 duty matrix).
WEIFANG = {"code": "weifang", "parent": None, "name": "潍坊新村街道", "kind": "sub_district",
           "address": "上海市浦东新区潍坊新村街道", "contact_name": "综治办",
           "contact_phone": phone(60)}
WEIFANG_DEPARTMENTS: list[tuple[str, list[str], list[str]]] = [
    ("派出所", [
        "排查管控涉恐重点人员、目标和危险物品",
        "落实护校安园，上学放学时段到点巡逻",
        "加强街面巡控和武装巡逻",
    ], ["screening", "patrol", "guarding", "training"]),
    ("综治办", [
        "起草和修订反恐怖防范制度与措施",
        "定期召开安全稳定工作会议",
        "组织安全教育和应急能力培训",
        "推进重点区域视频监控覆盖",
    ], ["coordination", "training", "technical", "information"]),
    ("信访办、司法所", [
        "做好信访司法稳定工作",
        "完善群体性事件应急处置方案",
    ], ["screening", "response"]),
    ("交警二大队", [
        "负责辖区营运车辆交通安全管理",
        "发现突发苗头立即报告领导小组办公室",
    ], ["patrol", "information"]),
    ("消防一大队、安全办", [
        "管控剧毒、放射、易燃易爆等危险品",
        "突发事件后第一时间赶赴现场抢险救援",
    ], ["hazardous", "response"]),
    ("武装部", [
        "检查地下空间存放物品",
        "组织民兵开展应急救援和反恐演练",
    ], ["screening", "drills", "response"]),
    ("群众文化工作部", [
        "推进护校安园，协调学校落实内保力量",
        "组织反恐防暴知识进校园",
    ], ["guarding", "training"]),
    ("社会事务工作部", [
        "做好肇事肇祸精神病人管控",
        "组织居委开展应急救护培训",
    ], ["screening", "training", "medical"]),
    ("宣传统战工作部", [
        "开展反恐防暴宣传",
        "突发事件时统一对外发布信息",
    ], ["training", "information"]),
    ("社区卫生服务中心", [
        "准备应急药品和救援力量，救援车辆全天候待命",
        "突发事件后现场救护伤员、消毒防疫",
    ], ["medical", "response", "drills"]),
    ("各居民区", [
        "动员居民群防群治和平安志愿者巡逻",
        "配合排查流动人口，发现异常及时上报",
    ], ["patrol", "screening", "information"]),
]

USERS = [
    ("admin", "系统", "管理员", Role.SYSTEM_ADMIN, "changzhou"),
    ("city_supervisor", "市教育局", "督导员", Role.SUPERVISOR, "changzhou"),
    ("xinbei_supervisor", "新北区", "督导员", Role.SUPERVISOR, "xinbei"),
    ("xinbei_auditor", "新北区", "审计员", Role.AUDITOR, "xinbei"),
    ("xinqiao_admin", "郭", "建刚", Role.UNIT_ADMIN, "xinqiao"),
    ("xinqiao_principal", "张", "红梅", Role.PRINCIPAL, "xinqiao"),
    ("xinqiao_guard", "黄", "建刚", Role.GUARD, "xinqiao"),
    ("xinqiao_teacher", "黄", "益芬", Role.STAFF, "xinqiao"),
    ("chunjiang_admin", "周", "明", Role.UNIT_ADMIN, "chunjiang"),
    ("weifang_admin", "街道", "综治办", Role.UNIT_ADMIN, "weifang"),
]


def load_demo() -> list[tuple[str, str, str]] | None:
    """Create the demo data; return the users made, or None if it was already there."""
    if Unit.objects.filter(code="changzhou").exists():
        return None
    units: dict[str, Unit] = {}
    for spec in UNITS:
        data = {**spec, "parent": units.get(spec["parent"]) if spec["parent"] else None}
        units[spec["code"]] = services.create_unit(None, data)
    _load_terms(units["changzhou"])
    _load_school(units["xinqiao"], XINQIAO_PEOPLE, XINQIAO_LOCATIONS, XINQIAO_ASSETS)
    _load_school(units["chunjiang"], CHUNJIANG_PEOPLE, CHUNJIANG_LOCATIONS, CHUNJIANG_ASSETS,
                 first_phone=300)
    units["weifang"] = services.create_unit(None, WEIFANG)
    _load_departments(units["weifang"])
    _load_organisation(units["xinqiao"])
    _load_checks(units["xinqiao"])
    _load_upkeep(units["xinqiao"], units["chunjiang"])
    made = []
    for username, last, first, role, code in USERS:
        user = User.objects.create_user(username, password=DEMO_PASSWORD, last_name=last,
                                        first_name=first)
        services.grant_role(None, user, units[code], role)
        made.append((username, str(role.label), units[code].name))
    return made


# School terms of the city (常州市), 2025–2026 and 2026–2027 school years.
TERMS = [(2025, 1, "2025-09-01", "2026-01-24"), (2025, 2, "2026-02-23", "2026-07-03"),
         (2026, 1, "2026-09-01", "2027-01-23"), (2026, 2, "2027-02-22", "2027-07-02")]


def _load_terms(city: Unit) -> None:
    from datetime import date

    from fangfan.standards.models import SchoolTerm

    for year, number, start, end in TERMS:
        services.create_record(None, SchoolTerm, {
            "unit": city, "school_year": year, "number": number,
            "starts_on": date.fromisoformat(start), "ends_on": date.fromisoformat(end)})


def _load_school(unit: Unit, people: list, locations: list, assets: list,
                 first_phone: int = 100) -> None:
    for i, (name, post, dept, employment, guard, *full) in enumerate(people, start=first_phone):
        services.create_record(None, Person, {
            "unit": unit, "name": name, "post": post, "department": dept, "phone": phone(i),
            "employment_type": employment, "is_guard": guard, "full_time": full != [False]})
    places = {}
    for name, kind, key, main in locations:
        places[name] = services.create_record(None, Location, {
            "unit": unit, "name": name, "kind": kind, "is_key": key, "is_main_entrance": main})
    for category, name, place, qty, attrs in assets:
        services.create_record(None, Asset, {
            "unit": unit, "category": category, "name": name,
            "location": places.get(place) if place else None, "quantity": qty, **attrs})


def _load_organisation(unit: Unit) -> None:
    from fangfan.organisation.models import Body, Liaison, Membership, SupportUnit

    people = {p.name: p for p in Person.objects.filter(unit=unit)}
    for spec in XINQIAO_BODIES:
        body = services.create_record(None, Body, {
            "unit": unit, **{k: spec[k] for k in ("kind", "name", "seat", "duties")}})
        for name, role, note in spec["members"]:
            services.create_record(None, Membership, {"unit": unit, "body": body,
                                                      "person": people[name], "role": role,
                                                      "note": note})
    for i, (name, kind, km) in enumerate(XINQIAO_SUPPORT):
        services.create_record(None, SupportUnit, {"unit": unit, "name": name, "kind": kind,
                                                   "phone": phone(900 + i), "distance_km": km})
    services.create_record(None, Liaison, {"unit": unit, "person": people["杨阳"],
                                           "duties": "向区教育局报送反恐怖防范信息"})


def _load_upkeep(xinqiao: Unit, chunjiang: Unit) -> None:
    """A passed alarm test at 新桥; an overdue camera fault at 春江 (an R-FAULT gap)."""
    import datetime as dt

    from django.utils import timezone

    from fangfan.resources.models import AlarmTest, Fault, MaintenanceSchedule

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
    import datetime as dt

    from django.utils import timezone

    from fangfan.resources.models import BackgroundCheck, Certificate

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


def _load_departments(unit: Unit) -> None:
    from fangfan.organisation.models import Body

    for name, duties, areas in WEIFANG_DEPARTMENTS:
        services.create_record(None, Body, {"unit": unit, "kind": "department", "name": name,
                                            "duties": "\n".join(duties), "areas": areas})
