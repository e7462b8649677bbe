"""The demo's organisation: 新桥's leadership group, office and responsible department,
its support unit and liaison (seed 000), its rule system (seed 001) and its year's
responsibility letters, and the departments of 潍坊新村街道 (seed 003): the organisation
part of `fangfan.core.demo`."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fangfan.core import services
from fangfan.core.demo import demo_part, phone
from fangfan.core.models import Unit
from fangfan.organisation.models import (
    Body,
    Letter,
    LetterCampaign,
    Liaison,
    Membership,
    RuleDocument,
    SupportUnit,
)
from fangfan.resources.models import Person

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


@demo_part(30)
def departments(units: dict[str, Unit]) -> None:
    _load_departments(units["weifang"])


@demo_part(40)
def organisation(units: dict[str, Unit]) -> None:
    _load_organisation(units["xinqiao"])


def _load_organisation(unit: Unit) -> None:
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


def _load_departments(unit: Unit) -> None:
    for name, duties, areas in WEIFANG_DEPARTMENTS:
        services.create_record(None, Body, {"unit": unit, "kind": "department", "name": name,
                                            "duties": "\n".join(duties), "areas": areas})


# The rule system of seed 001 at 新桥 (ORG-7): (kind, title, approved days ago, review in
# days). The patrol rule's review is overdue (home-page work for the administrator and a
# gap of the pack); the visitor rule has a first version, superseded by the second.
XINQIAO_RULES = [
    ("duty", "值班及领导带班制度", 200, 165),
    ("visitor", "门卫及来访人员车辆登记制度", 120, 245),
    ("patrol", "校园安全巡查制度", 380, -15),
    ("key_location", "重点部位安全管理制度", 200, 165),
    ("hazardous", "危险化学品“双人双锁”管理制度", 200, 165),
    ("reporting", "反恐怖防范信息报告制度", 200, 165),
    ("emergency", "突发事件应急处置制度", 200, 165),
    ("inspection", "安全隐患排查及风险评估制度", 200, 165),
    ("training", "安全教育培训及演练制度", 200, 165),
]


@demo_part(45)  # after the organisation (40): the principal approves
def rules(units: dict[str, Unit]) -> None:
    _load_rules(units["xinqiao"])


def _load_rules(unit: Unit) -> None:
    today = timezone.localdate()
    principal = Person.objects.get(unit=unit, name="张红梅")
    days = dt.timedelta(days=1)
    first = services.create_record(None, RuleDocument, {
        "unit": unit, "kind": "visitor", "title": "门卫及来访人员登记制度",
        "approved_on": today - 900 * days, "approved_by": principal,
        "review_due": today - 500 * days})
    for kind, title, approved, review in XINQIAO_RULES:
        services.create_record(None, RuleDocument, {
            "unit": unit, "kind": kind, "title": title, "approved_on": today - approved * days,
            "approved_by": principal, "review_due": today + review * days,
            "supersedes": first if kind == "visitor" else None,
            "notes": "增加访客预约核实和车辆查验要求" if kind == "visitor" else ""})


# Seed 000 二、4: responsibility passed down to departments and posts by letters. 新桥's
# letters of the year: (signer, department or "" for a post, signed days after issue or
# None). The security captain's letter is still unsigned after the deadline: the gap
# *org-letters* with a name, and the administrator's work "Record the signature".
XINQIAO_LETTERS: list[tuple[str, str, int | None]] = [
    ("姚建法", "", 3),
    ("郭建刚", "后勤保障中心", 2),
    ("张丽", "", 5),
    ("高春媛", "", 5),
    ("章丽红", "", 6),
    ("杨阳", "", 4),
    ("黄建刚", "", None),
]
LETTERS_ISSUED_DAYS_AGO = 60
LETTERS_DEADLINE_DAYS = 30  # after the issue: passed 30 days ago


@demo_part(46)  # after the organisation (40), whose responsible department signs
def letters(units: dict[str, Unit]) -> None:
    _load_letters(units["xinqiao"])


def _load_letters(unit: Unit) -> None:
    issued = timezone.localdate() - dt.timedelta(days=LETTERS_ISSUED_DAYS_AGO)
    campaign = services.create_record(None, LetterCampaign, {
        "unit": unit, "year": issued.year, "title": "反恐怖防范工作责任书",
        "issued_on": issued, "deadline": issued + dt.timedelta(days=LETTERS_DEADLINE_DAYS),
        "notes": "校长与分管领导、部门和岗位逐级签订"})
    people = {p.name: p for p in Person.objects.filter(unit=unit)}
    bodies = {b.name: b for b in Body.objects.filter(unit=unit)}
    for name, department, signed_after in XINQIAO_LETTERS:
        signed = None if signed_after is None else issued + dt.timedelta(days=signed_after)
        services.create_record(None, Letter, {
            "unit": unit, "campaign": campaign, "signer": people[name],
            "department": bodies.get(department), "issued_on": issued, "signed_on": signed})
