"""A unit asks its authority to change what is decided above it (issue 13): the
authority approves (the unit changes, audited as the approver's) or refuses with a
reason; the unit cannot decide its own request."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fangfan.core import services
from fangfan.core.models import AuditEntry, Notification, Role, Unit, UnitChangeRequest


@pytest.fixture
def people(tree, make_user):
    return {"admin": make_user(Role.UNIT_ADMIN, tree["a"]),
            "supervisor": make_user(Role.SUPERVISOR, tree["district"])}


def _ask(actor, unit, **values) -> UnitChangeRequest:
    return services.create_record(actor, UnitChangeRequest, {
        "unit": unit, "reason": "秋季招生后人数变化", **values})


def test_approval_applies_the_change(tree, people):
    req = _ask(people["admin"], tree["a"], student_count=1950, key_target_grade=2)
    assert Notification.objects.filter(user=people["supervisor"]).count() == 1
    services.update_record(people["supervisor"], req, {"status": "approved"})
    unit = Unit.objects.get(pk=tree["a"].pk)
    assert (unit.student_count, unit.key_target_grade) == (1950, 2)
    req.refresh_from_db()
    assert (req.decided_by, req.status) == (people["supervisor"], "approved")
    entry = AuditEntry.objects.filter(record_type="core.unit").latest("id")
    assert entry.actor_id == people["supervisor"].pk


def test_the_unit_cannot_decide_its_own_request(tree, people):
    req = _ask(people["admin"], tree["a"], student_count=1950)
    with pytest.raises(ValidationError):
        services.update_record(people["admin"], req, {"status": "approved"})
    with pytest.raises(ValidationError):
        _ask(people["admin"], tree["a"], student_count=10, status="approved")
    assert Unit.objects.get(pk=tree["a"].pk).student_count == tree["a"].student_count


def test_refusal_needs_a_reason_and_changes_nothing(tree, people):
    req = _ask(people["admin"], tree["a"], stage="secondary")
    with pytest.raises(ValidationError):
        services.update_record(people["supervisor"], req, {"status": "refused"})
    services.update_record(people["supervisor"], req, {"status": "refused",
                                                       "decision_note": "请附学籍统计表"})
    assert Unit.objects.get(pk=tree["a"].pk).stage == "primary"
    with pytest.raises(ValidationError):  # decided once
        services.update_record(people["supervisor"], req, {"status": "approved"})


def test_an_approval_the_unit_cannot_take_is_refused_whole(tree, people):
    req = _ask(people["admin"], tree["a"], boarder_count=5000)
    with pytest.raises(ValidationError):
        services.update_record(people["supervisor"], req, {"status": "approved"})
    req.refresh_from_db()
    assert req.status == "pending"


def test_an_empty_request_is_refused(tree, people):
    with pytest.raises(ValidationError):
        _ask(people["admin"], tree["a"])
