"""Record type declarations of the organisation area (SPEC §1)."""
from fangfan.core.models import Role
from fangfan.core.registry import RecordType, register
from fangfan.organisation.models import Body, Liaison, Membership, SupportUnit
from fangfan.resources.models import Person


def _person(unit, name: str = "王晓明") -> Person:
    from fangfan.core import services

    return (Person.objects.filter(unit=unit, name=name).first()
            or services.create_record(None, Person, {"unit": unit, "name": name}))


def _body(unit) -> Body:
    from fangfan.core import services

    return (Body.objects.filter(unit=unit, name="反恐怖防范领导小组").first()
            or services.create_record(None, Body, {"unit": unit, "kind": "leadership_group",
                                                   "name": "反恐怖防范领导小组"}))


# Everyone at a unit needs to know who leads and whom to call.
READ_FOR_ALL = {Role.GUARD: {"view"}, Role.STAFF: {"view"}}

register(RecordType(
    model=Body,
    slug="bodies",
    area="org",
    list_fields=["name", "kind", "seat", "unit"],
    form_fields=["unit", "kind", "name", "seat", "duties"],
    filter_fields=["kind"],
    search_fields=["name", "seat", "duties"],
    roles=READ_FOR_ALL,
    children=[("body-members", "body")],
    example=lambda unit: {"unit": unit, "kind": "office", "name": "反恐怖防范办公室",
                          "seat": "后勤保障中心", "duties": "负责日常协调"},
))

register(RecordType(
    model=Membership,
    slug="body-members",
    area="org",
    list_fields=["person", "body", "role", "note", "unit"],
    form_fields=["unit", "body", "person", "role", "note"],
    filter_fields=["body", "role"],
    search_fields=["person__name", "note"],
    lookups={"body": "name", "person": "name"},
    roles=READ_FOR_ALL,
    example=lambda unit: {"unit": unit, "body": _body(unit), "person": _person(unit),
                          "role": "member"},
    example_update=lambda obj: {"role": "deputy_leader", "note": "分管安全"},
))

register(RecordType(
    model=SupportUnit,
    slug="support-units",
    area="org",
    list_fields=["name", "kind", "phone", "distance_km", "unit"],
    form_fields=["unit", "name", "kind", "phone", "distance_km", "notes"],
    filter_fields=["kind"],
    search_fields=["name", "notes"],
    roles=READ_FOR_ALL,
    example=lambda unit: {"unit": unit, "name": "新桥派出所", "kind": "police",
                          "phone": "13800009999", "distance_km": "2.5"},
))

register(RecordType(
    model=Liaison,
    slug="liaisons",
    area="org",
    list_fields=["person", "department", "unit"],
    form_fields=["unit", "person", "department", "duties"],
    filter_fields=["department"],
    search_fields=["person__name", "department"],
    lookups={"person": "name"},
    example=lambda unit: {"unit": unit, "person": _person(unit, "李联络"), "department": "",
                          "duties": "每周报送信息"},
    example_update=lambda obj: {"department": "德育处"},
))
