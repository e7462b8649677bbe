from __future__ import annotations

import pytest

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.resources.models import Asset, Location, Person


@pytest.fixture
def school(tree, make_user):
    """School a with its gate, a key location, a host linked to a staff account, and its
    people; school b's administrator."""
    a = tree["a"]
    gate = services.create_record(None, Location, {"unit": a, "name": "南校门",
                                                   "kind": "main_gate",
                                                   "is_main_entrance": True})
    control = services.create_record(None, Location, {"unit": a, "name": "监控中心",
                                                      "kind": "control_room", "is_key": True})
    canteen = services.create_record(None, Location, {"unit": a, "name": "食堂",
                                                      "kind": "canteen"})
    teacher = make_user(Role.STAFF, a, "teacher")
    host = services.create_record(None, Person, {"unit": a, "name": "黄益芬"})
    if hasattr(Person, "user"):
        Person.objects.filter(pk=host.pk).update(user=teacher)
        host.refresh_from_db()
    other = services.create_record(None, Person, {"unit": a, "name": "王晓明"})
    return {**tree, "gate": gate, "control": control, "canteen": canteen, "host": host,
            "other_person": other, "teacher": teacher,
            "admin": make_user(Role.UNIT_ADMIN, a), "principal": make_user(Role.PRINCIPAL, a),
            "guard": make_user(Role.GUARD, a), "staff": make_user(Role.STAFF, a),
            "supervisor": make_user(Role.SUPERVISOR, tree["district"]),
            "other_admin": make_user(Role.UNIT_ADMIN, tree["b"]),
            "Asset": Asset}
