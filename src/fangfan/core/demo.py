"""Demo data: 新桥实验小学 of seed 000 under 常州市 / 新北区 authorities, with its people,
important locations and assets from the seed's appendices, a few more units, and one
demo user per role. Names and posts are the seed's; every phone number is fictitious
(138-0000-xxxx). Everything is written through the services, so it is audited.

Core holds the units and the users; each app contributes its own part of the data
(`demo_part`, in its `demo` module, imported by its AppConfig.ready()), so that core
imports no domain app."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation

from fangfan.core import services
from fangfan.core.models import Role, Unit, User

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
    # Seed 003: a sub-district whose departments share the work (organisation's part).
    {"code": "weifang", "parent": None, "name": "潍坊新村街道", "kind": "sub_district",
     "address": "上海市浦东新区潍坊新村街道", "contact_name": "综治办",
     "contact_phone": phone(60)},
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


Part = Callable[[dict[str, Unit]], None]
PARTS: list[tuple[int, str, Part]] = []


def demo_part(order: int) -> Callable[[Part], Part]:
    """Register `fn(units)`, an app's part of the demo data, run by `load_demo` after the
    units and the users are made, in `order` (ties: by name)."""
    def register(fn: Part) -> Part:
        name = f"{fn.__module__}.{fn.__qualname__}"
        PARTS[:] = [p for p in PARTS if p[1] != name]  # a module imported twice
        PARTS.append((order, name, fn))
        return fn

    return register


def load_demo() -> list[tuple[str, str, str]] | None:
    """Create the demo data; return the users made, or None if it was already there."""
    if Unit.objects.filter(code="changzhou").exists():
        return None
    units: dict[str, Unit] = {}
    for spec in UNITS:
        data = {**spec, "parent": units.get(spec["parent"]) if spec["parent"] else None}
        units[spec["code"]] = services.create_unit(None, data)
    made = []
    for username, last, first, role, code in USERS:
        user = User.objects.create_user(username, password=DEMO_PASSWORD, last_name=last,
                                        first_name=first)
        services.grant_role(None, user, units[code], role)
        made.append((username, str(role.label), units[code].name))
    # The users come first, so that parts act as them (a hazard verified by the
    # district's supervisor is their step, as the lifecycle requires).
    with translation.override(settings.LANGUAGE_CODE):  # records in the users' language
        for _order, _name, part in sorted(PARTS, key=lambda p: p[:2]):
            part(units)
    return made
