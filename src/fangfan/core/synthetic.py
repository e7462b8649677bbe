"""Synthetic data at city and province scale, for benchmarks (`fangfan generate`).

Realistic shapes: a root authority, cities, districts of ~50 schools and kindergartens,
each unit with ~100 records (people with Chinese names and fictitious phones, its key
locations, its physical and technical assets). Rows are written with bulk_create in
batches; the tree paths are computed here exactly as `services.create_unit` does.
Generated data is audited per unit (one entry with the counts), not per row: per-row
chained entries would dominate the generation time, and this is benchmark data, never
user data."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from fangfan.core import audit
from fangfan.core.models import Unit
from fangfan.core.models.units import PATH_SEGMENT_WIDTH
from fangfan.resources.models import Asset, AssetCategory, Location, Person

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏宇浩凯晨欣怡梓涵子轩雨博思佳嘉琪雪梅海燕春晓丹婷颖俊峰瑞泽"  # noqa: E501
POSTS = ["教师"] * 20 + ["班主任"] * 5 + ["后勤"] * 3 + ["副校长", "校长", "安保主任", "校医",
                                                       "会计", "食堂管理员"]
LOCATIONS = [("校门", "main_gate", True, True), ("门卫室", "gate_duty_room", True, False),
             ("食堂", "canteen", True, False), ("配电房", "power_room", True, False),
             ("监控室", "control_room", True, False), ("教学楼", "teaching_building", False,
                                                      False),
             ("操场", "playground", False, False), ("库房", "storage", False, False),
             ("实验室", "lab", True, False), ("财务室", "finance_office", True, False)]
KIT = ["helmet", "shield", "stab_vest", "cut_gloves", "baton", "strong_flashlight",
       "defence_spray", "steel_fork"]


@dataclass
class Totals:
    units: int = 0
    people: int = 0
    locations: int = 0
    assets: int = 0
    more: dict[str, int] = field(default_factory=dict)  # the apps' parts' rows


# fn(rng, root, district, leaves) -> {what: rows}: an app's part of the synthetic data
# (its `synthetic` module, imported by generate), called once with the root (district
# and leaves None), then per district after its units' people, locations and assets.
Part = Callable[..., dict[str, int]]
_parts: list[Part] = []


def synthetic_part(fn: Part) -> Part:
    if fn not in _parts:
        _parts.append(fn)
    return fn


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _leaf_attrs(rng: random.Random) -> dict:
    kind = rng.choices(["kindergarten", "primary", "secondary"], weights=[3, 5, 2])[0]
    students = {"kindergarten": (100, 400), "primary": (300, 2500),
                "secondary": (500, 3000)}[kind]
    n = rng.randint(*students)
    boarding = kind == "secondary" and rng.random() < 0.4
    return {
        "kind": "kindergarten" if kind == "kindergarten" else "school", "stage": kind,
        "locale": rng.choices(["city", "town", "rural"], weights=[5, 3, 2])[0],
        "student_count": n, "staff_count": max(8, n // 14), "boarding": boarding,
        "boarder_count": rng.randint(n // 5, n // 2) if boarding else 0,
        "key_target_grade": rng.choices([0, 1, 2, 3], weights=[80, 2, 6, 12])[0],
    }


def _units(parent: Unit | None, specs: list[dict]) -> list[Unit]:
    """Insert units, then give each its path (ids are known only after the insert)."""
    rows = [Unit(parent=parent, path=f"~{s['code']}", **s) for s in specs]
    Unit.objects.bulk_create(rows, batch_size=1000)
    if rows and rows[0].pk is None:  # backends that do not return ids
        rows = list(Unit.objects.filter(code__in=[s["code"] for s in specs]))
    prefix = parent.path if parent else ""
    for u in rows:
        u.path = prefix + str(u.pk).zfill(PATH_SEGMENT_WIDTH)
    Unit.objects.bulk_update(rows, ["path"], batch_size=1000)
    return rows


def _records(rng: random.Random, unit: Unit, phone: Callable[[], str]) -> tuple[list, list]:
    people = []
    guards = rng.randint(1, 6)
    for i in range(rng.randint(30, 40)):
        guard = i < guards
        people.append(Person(
            unit=unit, unit_path=unit.path, name=_name(rng),
            post="保安员" if guard else rng.choice(POSTS), department="保安队" if guard else
            rng.choice(["教务处", "德育处", "总务处", "校长室"]), phone=phone(),
            employment_type="security_company" if guard else "staff", is_guard=guard,
            full_time=not guard or rng.random() < 0.85))
    places = [Location(unit=unit, unit_path=unit.path, name=n, kind=k, is_key=key,
                       is_main_entrance=main) for n, k, key, main in LOCATIONS]
    return people, places


def _assets(rng: random.Random, unit: Unit, places: list[Location]) -> list[Asset]:
    by_kind = {p.kind: p for p in places}
    rows = []

    def add(category: str, place: str | None, qty: int = 1, **attrs) -> None:
        rows.append(Asset(unit=unit, unit_path=unit.path, category=category,
                          name=AssetCategory(category).label, quantity=qty,
                          location=by_kind.get(place) if place else None,
                          status="faulty" if rng.random() < 0.03 else "in_service", **attrs))

    for item in KIT:
        add(item, "gate_duty_room", rng.randint(0, 4))
    for place in ("main_gate", "teaching_building", "canteen", "playground", "storage", "lab",
                  "finance_office", "power_room"):
        for _ in range(rng.randint(1, 3)):
            add("camera", place, night_capable=rng.random() < 0.8,
                identifies_faces=place == "main_gate" and rng.random() < 0.7,
                identifies_plates=place == "main_gate" and rng.random() < 0.6)
    add("recorder", "control_room", rng.randint(1, 3), retention_days=rng.choice([30, 60, 90]),
        police_networked=rng.random() < 0.85)
    add("one_key_alarm", "gate_duty_room", police_networked=rng.random() < 0.85)
    add("control_room_system", "control_room")
    for place in ("lab", "finance_office", "storage"):
        add("intrusion_detector", place, rng.randint(1, 4))
    for place in ("main_gate", "canteen", "power_room", "control_room"):
        add("lighting", place, rng.randint(2, 10), night_capable=True)
    add("baggage_storage", "main_gate", distance_to_key_m=rng.choice([20, 35, 50]))
    for category in ("wall_fence", "anti_climb_fence", "security_door", "vehicle_barrier",
                     "warning_sign", "seal", "walkie_talkie", "flashlight", "fire_equipment",
                     "emergency_supplies", "access_control", "emergency_button",
                     "alarm_controller", "patrol_point"):
        add(category, rng.choice([p.kind for p in places]), rng.randint(1, 12))
    while len(rows) < 55:
        add(rng.choice(["fire_equipment", "patrol_point", "camera"]),
            rng.choice([p.kind for p in places]), rng.randint(1, 6))
    return rows


def generate(units: int, seed: int = 1, per_district: int = 50,
             progress: Callable[[str], None] = print) -> Totals:
    """Create `units` leaf units under a new root `syn-root`."""
    if Unit.objects.filter(code="syn-root").exists():
        raise ValueError("synthetic data already exists (unit syn-root)")
    autodiscover_modules("synthetic")
    rng = random.Random(seed)
    totals = Totals()
    counter = iter(range(10**7))

    def phone() -> str:
        return f"1380000{next(counter) % 10000:04d}"

    districts = -(-units // per_district)
    with transaction.atomic():
        (root,) = _units(None, [{"code": "syn-root", "name": "合成省教育厅",
                                 "kind": "education_bureau"}])
        cities = _units(root, [{"code": f"syn-c{i:03d}", "name": f"合成市{i}教育局",
                                "kind": "education_bureau"}
                               for i in range(-(-districts // 10))])
        for fn in _parts:
            fn(rng, root, None, None)
        for d in range(districts):
            city = cities[d // 10]
            (district,) = _units(city, [{"code": f"syn-d{d:04d}", "name": f"合成区{d}教育局",
                                         "kind": "education_bureau"}])
            start = d * per_district
            count = min(per_district, units - start)
            leaves = _units(district, [{"code": f"syn-u{start + i:06d}",
                                        "name": f"合成区{d}第{i + 1}学校",
                                        **_leaf_attrs(rng)} for i in range(count)])
            _fill(rng, leaves, phone, totals)
            for fn in _parts:
                for what, n in fn(rng, None, district, leaves).items():
                    totals.more[what] = totals.more.get(what, 0) + n
            progress(f"district {d + 1}/{districts}: {totals.units} units, "
                     f"{totals.people + totals.locations + totals.assets} records"
                     + "".join(f", {n} {what}" for what, n in totals.more.items()))
    return totals


def _fill(rng: random.Random, leaves: list[Unit], phone, totals: Totals) -> None:
    people, places = [], []
    for unit in leaves:
        p, loc = _records(rng, unit, phone)
        people += p
        places += loc
    Person.objects.bulk_create(people, batch_size=2000)
    Location.objects.bulk_create(places, batch_size=2000)
    by_unit: dict[int, list[Location]] = {}
    for loc in places:
        by_unit.setdefault(loc.unit_id, []).append(loc)
    assets = [a for unit in leaves for a in _assets(rng, unit, by_unit[unit.pk])]
    Asset.objects.bulk_create(assets, batch_size=2000)
    for unit in leaves:
        audit.record(None, unit, "create", None, {"generated": True}, unit.path)
    totals.units += len(leaves)
    totals.people += len(people)
    totals.locations += len(places)
    totals.assets += len(assets)
