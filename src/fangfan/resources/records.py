"""Record type declarations of people, locations and assets."""
from fangfan.core.models import Role
from fangfan.core.registry import RecordType, register
from fangfan.resources.models import Asset, Location, Person

register(RecordType(
    model=Person,
    slug="people",
    area="res",
    list_fields=["name", "post", "department", "employment_type", "is_guard", "unit"],
    form_fields=["unit", "name", "post", "department", "phone", "employment_type", "is_guard",
                 "full_time"],
    filter_fields=["employment_type", "is_guard", "department"],
    search_fields=["name", "post", "department"],
    example=lambda unit: {"unit": unit, "name": "王晓明", "post": "教师", "department": "教务处",
                          "phone": "13800000000", "employment_type": "staff"},
))

register(RecordType(
    model=Location,
    slug="locations",
    area="res",
    list_fields=["name", "kind", "is_key", "is_main_entrance", "unit"],
    form_fields=["unit", "name", "kind", "is_key", "is_main_entrance", "notes"],
    filter_fields=["kind", "is_key", "is_main_entrance"],
    search_fields=["name", "notes"],
    # Guards and staff need to know the key locations they protect.
    roles={Role.GUARD: {"view"}, Role.STAFF: {"view"}},
    example=lambda unit: {"unit": unit, "name": "南校门", "kind": "main_gate", "is_key": True,
                          "is_main_entrance": True},
))

register(RecordType(
    model=Asset,
    slug="assets",
    area="res",
    list_fields=["category", "name", "location", "quantity", "status", "unit"],
    form_fields=["unit", "category", "name", "location", "quantity", "status",
                 "retention_days", "night_capable", "identifies_faces", "identifies_plates",
                 "police_networked", "distance_to_key_m"],
    filter_fields=["category", "status", "location"],
    search_fields=["name"],
    lookups={"location": "name"},
    example=lambda unit: {"unit": unit, "category": "recorder", "name": "硬盘录像机",
                          "quantity": 1, "retention_days": 90},
))
