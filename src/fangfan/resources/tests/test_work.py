"""The school's home page is its work (issue 8): a fault against its 24-hour clock, a
licence to renew, a gap with the form that fixes it, quick actions, each shown only to
those who may act on it, in a constant number of queries."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.resources.models import Asset, Certificate, Fault, Person
from fangfan.standards import engine


@pytest.fixture
def school(tree):
    a = tree["a"]
    camera = services.create_record(None, Asset, {"unit": a, "category": "camera",
                                                  "name": "校门摄像机"})
    services.create_record(None, Fault, {
        "unit": a, "asset": camera, "description": "画面全黑", "temporary_measure": "专人值守",
        "reported_at": timezone.now() - dt.timedelta(hours=30)})
    guard = services.create_record(None, Person, {"unit": a, "name": "黄建刚",
                                                  "is_guard": True, "full_time": True})
    services.create_record(None, Certificate, {
        "unit": a, "person": guard, "kind": "guard_licence", "issued_on": dt.date(2020, 1, 1),
        "expires_on": timezone.localdate() + dt.timedelta(days=5)})
    engine.evaluate_subtree([a.path])
    return tree


def _sections(html: str) -> dict[str, str]:
    parts = html.split('data-section="')[1:]
    return {p.split('"')[0]: p for p in parts}


def test_unit_admin_sees_overdue_fault_licence_and_gap_with_their_actions(
        school, make_user, client):
    client.force_login(make_user(Role.UNIT_ADMIN, school["a"]))
    sections = _sections(client.get(reverse("home")).content.decode())
    fault = Fault.objects.get()
    assert reverse("records:faults-edit", args=[fault.pk]) in sections["overdue"]
    assert "overdue 6 hours" in sections["overdue"]
    assert "黄建刚" in sections["week"] and "in 5 days" in sections["week"]
    # R-STAFF: 550 people need 2 full-time guards, 1 recorded: add a person.
    assert "required 2, actual 1" in sections["gap"]
    assert reverse("records:people-add") in sections["gap"]
    assert "Fix it" in sections["gap"]


def test_principal_reads_but_is_not_offered_edits(school, make_user, client):
    client.force_login(make_user(Role.PRINCIPAL, school["a"]))
    sections = _sections(client.get(reverse("home")).content.decode())
    fault = Fault.objects.get()
    assert reverse("records:faults-detail", args=[fault.pk]) in sections["overdue"]
    assert "/edit/" not in sections["overdue"] and "Open" in sections["overdue"]
    assert reverse("records:people-add") not in sections.get("gap", "")


def test_guard_gets_quick_actions_and_faults_not_gaps(school, make_user, client):
    client.force_login(make_user(Role.GUARD, school["a"]))
    html = client.get(reverse("home")).content.decode()
    quick = html.split('data-testid="quick-actions"')[1].split("</div>")[0]
    assert reverse("records:faults-add") in quick and "Report a fault" in quick
    sections = _sections(html)
    assert "overdue" in sections and "gap" not in sections and "黄建刚" not in html


def test_staff_with_nothing_to_do_is_told_so(school, make_user, client):
    client.force_login(make_user(Role.STAFF, school["b"]))
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="no-work"' in html and "校门摄像机" not in html


def test_home_queries_do_not_grow_with_the_work(school, make_user, client):
    client.force_login(make_user(Role.UNIT_ADMIN, school["a"]))
    camera = Asset.objects.get()
    # The same kinds of record in the recent changes both times (the audit panel names
    # each kind's records in one query), more of them the second time.
    services.create_record(None, Fault, {"unit": school["a"], "asset": camera,
                                         "description": "故障", "temporary_measure": "值守"})
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for i in range(5):
        services.create_record(None, Fault, {
            "unit": school["a"], "asset": camera, "description": f"故障{i}",
            "temporary_measure": "专人值守"})
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("home")).content.decode()
    assert html.count("Record the repair") == 7
    assert len(many) == len(few)
