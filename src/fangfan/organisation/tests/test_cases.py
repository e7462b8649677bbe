"""ORG-6 rewards and accountability: grounds fit the kind, and the records cited lie in
the case's own unit or below it."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.helpers import refused
from fangfan.organisation.models import Case, CaseLink
from fangfan.resources.models import Asset, Fault, Person


@pytest.fixture
def guard(tree):
    return services.create_record(None, Person, {"unit": tree["a"], "name": "保安",
                                                 "is_guard": True})


def case(unit, person, **extra):
    return services.create_record(None, Case, {
        "unit": unit, "kind": "accountability", "ground": "rectification_late",
        "title": "故障逾期未修复", "decided_on": timezone.localdate(), "person": person,
        **extra})


def test_grounds_fit_the_kind(tree, guard):
    refused("ground", case, tree["a"], guard, ground="outstanding_work")
    refused("ground", case, tree["a"], guard, kind="reward")
    refused("person", case, tree["a"], None)
    refused("person", case, tree["a"], services.create_record(
        None, Person, {"unit": tree["b"], "name": "外人"}))
    refused("decided_on", case, tree["a"], guard,
            decided_on=timezone.localdate() + dt.timedelta(days=1))
    assert not Case.objects.exists()
    case(tree["a"], guard, kind="reward", ground="incident_contribution", title="见义勇为")


def test_cited_records_must_lie_in_the_unit(tree, guard, make_user, client):
    camera = services.create_record(None, Asset, {"unit": tree["a"], "category": "camera"})
    fault = services.create_record(None, Fault, {
        "unit": tree["a"], "asset": camera, "description": "黑屏", "temporary_measure": "值守",
        "reported_at": timezone.now() - dt.timedelta(hours=50)})
    c = case(tree["a"], guard)
    link = services.create_record(None, CaseLink, {"unit": tree["a"], "case": c,
                                                   "record_type": "faults",
                                                   "record_id": fault.pk})
    assert link.label == str(fault) and link.target() == fault
    other = services.create_record(None, Person, {"unit": tree["b"], "name": "乙校保安"})
    refused("record_id", services.create_record, None, CaseLink, {
        "unit": tree["a"], "case": c, "record_type": "people", "record_id": other.pk})
    refused("record_id", services.create_record, None, CaseLink, {
        "unit": tree["a"], "case": c, "record_type": "faults", "record_id": 999999})
    refused("record_type", services.create_record, None, CaseLink, {
        "unit": tree["a"], "case": c, "record_type": "nonsense", "record_id": fault.pk})
    assert CaseLink.objects.count() == 1
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    html = client.get(c.get_absolute_url()).content.decode()
    assert 'id="children-case-links"' in html and str(fault) in html
