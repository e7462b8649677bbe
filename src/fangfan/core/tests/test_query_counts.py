"""A list runs a constant number of queries whatever its length (issue 14): for every
record type, the list page, the API list and the API detail run as many queries with
eight records as with two (NetBox's baseline approach, generated from the registry, so a
new record type cannot regress). Each record is made in a unit of its own, so examples
whose records are unique per unit can be made several times."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangfan.core import registry, services
from fangfan.core.models import Unit
from fangfan.core.tests.helpers import hold_grant

RECORD_TYPES = [rt for rt in registry.record_types() if rt.model is not Unit]


def _fill(rt, district: Unit, start: int, count: int) -> list:
    made = []
    for i in range(start, start + count):
        unit = services.create_unit(None, {
            "parent": district, "code": f"q-{rt.slug}-{i}", "name": f"学校{i}",
            "kind": "school", "stage": "primary", "locale": "city",
            "staff_count": 50, "student_count": 500})
        made.append(services.create_record(None, rt.model, rt.example(unit)))
    return made


def _queries(fn, api_page: bool = False) -> int:
    """Queries of a request. An API page's one COUNT(*) is left out: a page that comes
    back short needs none and a full one needs one (CountWhenFull), so two records and
    eight may differ by it although neither grows with the rows."""
    with CaptureQueriesContext(connection) as ctx:
        resp = fn()
    assert resp.status_code == 200, resp.status_code
    counts = sum(q["sql"].upper().startswith("SELECT COUNT(*)") for q in ctx.captured_queries)
    return len(ctx.captured_queries) - (min(counts, 1) if api_page else 0)


@pytest.mark.parametrize("rt", RECORD_TYPES, ids=lambda rt: rt.slug)
def test_lists_and_details_run_constant_queries(rt, tree, client, api_client,
                                                django_user_model):
    root = django_user_model.objects.create_superuser(f"q-{rt.slug}", password="x" * 12)
    hold_grant(rt, root, tree["district"])
    client.force_login(root)
    api_client.force_authenticate(root)
    page = reverse(rt.url_name("list"))
    api = f"/api/{rt.slug}/"
    first = _fill(rt, tree["district"], 0, 2)
    for url in (page, api, f"{api}{first[0].pk}/"):  # caches of a first request warm up
        (client if url == page else api_client).get(url)
    few = (_queries(lambda: client.get(page)), _queries(lambda: api_client.get(api), True),
           _queries(lambda: api_client.get(f"{api}{first[0].pk}/")))
    _fill(rt, tree["district"], 2, 6)
    many = (_queries(lambda: client.get(page)), _queries(lambda: api_client.get(api), True),
            _queries(lambda: api_client.get(f"{api}{first[0].pk}/")))
    assert many == few, f"list page, API list, API detail: {few} queries with 2, {many} with 8"


def test_a_short_page_tells_its_total_without_counting(tree, unit_admin, api_client,
                                                        monkeypatch):
    """The API's pages read one row more than they hold: a page that comes back short is
    the last, so its total needs no COUNT(*) (a fifth of a list request); a full page
    still counts, and a page past the end is a 404."""
    from fangfan.core.apiquery import StrictPagination
    from fangfan.resources.models import Person

    # The class reads PAGE_SIZE once, when the API is first imported (a setting changed
    # later does not reach it).
    monkeypatch.setattr(StrictPagination, "page_size", 3)
    for i in range(5):
        services.create_record(None, Person, {"unit": tree["a"], "name": f"人{i}"})
    api_client.force_authenticate(unit_admin)

    def page(number: int) -> tuple[dict, list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            resp = api_client.get(f"/api/people/?page={number}")
        assert resp.status_code == 200, resp.content
        return resp.json(), [q["sql"] for q in ctx.captured_queries]

    full, sql = page(1)
    assert (full["count"], len(full["results"]), bool(full["next"])) == (5, 3, True)
    assert any("COUNT(" in q.upper() for q in sql)
    short, sql = page(2)
    assert (short["count"], len(short["results"]), short["next"]) == (5, 2, None)
    assert not any("COUNT(" in q.upper() for q in sql)
    assert api_client.get("/api/people/?page=3").status_code == 404
    Person.objects.all().delete()
    empty, sql = page(1)
    assert (empty["count"], empty["results"]) == (0, [])
