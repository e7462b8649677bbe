"""The authority's gap matrix (issue 8): worst first, overdue first, "no data" last and
never ranked as failing, filters, scoping, cells linking to the unit's result, and a
constant number of queries whatever the number of units."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.resources.models import Person
from fangfan.standards import engine
from fangfan.standards.models import Evaluation, Obligation, ObligationStatus, Requirement


def _unit(tree, code: str, **extra):
    return services.create_unit(None, {"parent": tree["district"], "code": code,
                                       "name": f"{code}学校", "kind": "school",
                                       "stage": "primary", "locale": "city",
                                       "staff_count": 50, "student_count": 500, **extra})


@pytest.fixture
def judged(tree):
    """A meets nothing about guards (1 of 2), B has its two guards, C has no records."""
    services.create_record(None, Person, {"unit": tree["a"], "name": "保安", "is_guard": True})
    for i in range(2):
        services.create_record(None, Person, {"unit": tree["b"], "name": f"保安{i}",
                                              "is_guard": True})
    tree["c"] = _unit(tree, "school-c", locale="rural")
    engine.evaluate_subtree([tree["city"].path])
    return tree


def _rows(html: str) -> list[str]:
    table = html.split('data-testid="gap-matrix"')[1].split("</table>")[0]
    return [part.split('"')[0] for part in table.split('data-unit="')[1:]]


def test_worst_first_and_no_data_last(judged, make_user, client):
    client.force_login(make_user(Role.SUPERVISOR, judged["district"]))
    html = client.get(reverse("compliance-matrix", args=["district"])).content.decode()
    assert _rows(html) == ["school-a", "school-b", "school-c"]
    last = html.split('data-unit="school-c"')[1].split("</tr>")[0]
    assert 'data-testid="no-data"' in last
    counts = Evaluation.objects.get(unit=judged["a"])
    assert counts.unmet > Evaluation.objects.get(unit=judged["b"]).unmet


def test_units_with_overdue_obligations_come_first(judged, make_user, client):
    req = Requirement.objects.filter(spec__period="month").first()
    day = dt.date(2026, 1, 1)
    services.create_record(None, Obligation, {
        "unit": judged["b"], "requirement": req, "period_start": day,
        "period_end": day + dt.timedelta(days=30), "due_on": day + dt.timedelta(days=30)})
    Obligation.objects.update(status=ObligationStatus.OVERDUE)
    client.force_login(make_user(Role.SUPERVISOR, judged["district"]))
    html = client.get(reverse("compliance-matrix", args=["district"])).content.decode()
    assert _rows(html)[0] == "school-b"


def test_filters_and_requirement_columns_link_to_results(judged, make_user, client):
    client.force_login(make_user(Role.SUPERVISOR, judged["district"]))
    url = reverse("compliance-matrix", args=["district"])
    html = client.get(url, {"locale": "rural"}).content.decode()
    assert _rows(html) == ["school-c"]
    html = client.get(url, {"locale": "nonsense", "by": "x"}).content.decode()
    assert len(_rows(html)) == 3  # an unknown value filters nothing, and answers 200
    html = client.get(url, {"by": "requirement"}).content.decode()
    row = html.split('data-unit="school-a"')[1].split("</tr>")[0]
    assert "/compliance-results/" in row and 'class="rule-tag' in html
    assert "专职保安员" in html or "Full-time guards" in html


def test_scoped_to_the_readers_subtree(judged, make_user, client):
    client.force_login(make_user(Role.UNIT_ADMIN, judged["a"]))
    assert client.get(reverse("compliance-matrix", args=["district"])).status_code == 404


def test_queries_do_not_grow_with_units(judged, make_user, client):
    user = make_user(Role.SUPERVISOR, judged["district"])
    client.force_login(user)
    url = reverse("compliance-matrix", args=["district"])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        _unit(judged, f"more-{i}")
    engine.evaluate_subtree([judged["city"].path])
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(_rows(html)) == 9
    assert len(many) == len(few)


def test_authority_home_shows_the_matrix(judged, make_user, client):
    client.force_login(make_user(Role.SUPERVISOR, judged["district"]))
    html = client.get(reverse("home")).content.decode()
    assert _rows(html)[:1] == ["school-a"]
    resp = client.get(reverse("compliance-matrix", args=["district"]), {"by": "requirement"},
                      HTTP_HX_REQUEST="true", HTTP_HX_TARGET="gap-matrix")
    assert b"<html" not in resp.content and b'data-testid="gap-matrix"' in resp.content


def test_home_shows_the_worst_units_and_links_to_all(judged, make_user, client, monkeypatch):
    from fangfan.standards import matrix

    monkeypatch.setattr(matrix, "HOME_SIZE", 2)
    client.force_login(make_user(Role.SUPERVISOR, judged["district"]))
    html = client.get(reverse("home")).content.decode()
    assert _rows(html) == ["school-a", "school-b"]
    assert 'data-testid="whole-matrix"' in html and "All 3 units" in html
    assert reverse("compliance-matrix", args=["district"]) in html
