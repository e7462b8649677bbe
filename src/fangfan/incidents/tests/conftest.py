from __future__ import annotations

import pytest

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.organisation.models import Body
from fangfan.resources.models import Location, Person


@pytest.fixture
def school(tree, make_user):
    """School a with two response groups, a gate, a spokesperson, and its people."""
    a = tree["a"]
    for kind, name in (("order_group", "秩序维护组"), ("medical_group", "伤员救治组")):
        services.create_record(None, Body, {"unit": a, "kind": kind, "name": name})
    services.create_record(None, Body, {"unit": a, "kind": "office", "name": "办公室"})
    gate = services.create_record(None, Location, {"unit": a, "name": "南校门",
                                                   "kind": "main_gate"})
    person = services.create_record(None, Person, {"unit": a, "name": "王晓明"})
    return {**tree, "gate": gate, "spokesperson": person,
            "admin": make_user(Role.UNIT_ADMIN, a), "principal": make_user(Role.PRINCIPAL, a),
            "guard": make_user(Role.GUARD, a), "staff": make_user(Role.STAFF, a),
            "supervisor": make_user(Role.SUPERVISOR, tree["district"]),
            "other_admin": make_user(Role.UNIT_ADMIN, tree["b"])}
