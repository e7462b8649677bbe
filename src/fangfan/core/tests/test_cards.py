"""Phone cards of the record lists, server side: every registered type has a valid card
(title, facts, status), each cell says its part and its label in the user's language, and
a list costs the same number of queries for 1 record as for 20 (no query per card)."""
from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangfan.core import registry, services
from fangfan.core.tables import card_parts, table_class


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_every_type_has_a_card(rt):
    parts = card_parts(rt)
    assert list(parts.values()).count("title") == 1
    assert list(parts.values()).count("fact") == 2
    assert list(parts.values()).count("status") <= 1
    assert parts.get(rt.status_field or "status", "status") == "status"
    table_class(rt)  # builds with the declared parts


def test_defaults_and_declarations():
    assets = card_parts(registry.get("assets"))
    assert assets["name"] == "title" and assets["status"] == "status"
    assert assets["category"] == "fact" and assets["unit"] == "hide"
    results = card_parts(registry.get("compliance-results"))  # the status is not a fact
    assert [k for k, v in results.items() if v == "fact"] == ["required", "actual"]
    checks = card_parts(registry.get("background-checks"))
    assert checks["result"] == "status"


def test_a_card_with_an_unknown_field_is_refused():
    rt = registry.get("locations")
    bad = dataclasses.replace(rt, card_fields=["name", "nowhere", "kind"])
    with pytest.raises(ValueError):
        card_parts(bad)


def _locations(unit, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        services.create_record(None, registry.get("locations").model,
                               {"unit": unit, "name": f"门{i}", "kind": "other"})


def test_cells_carry_their_part_and_label(tree, unit_admin, client, settings):
    _locations(tree["a"], 1)
    client.force_login(unit_admin)
    html = client.get(reverse("records:locations-list")).content.decode()
    assert 'class="ff-card-title"' in html and 'data-label="Name"' in html
    assert 'class="ff-card-fact"' in html and "ff-cards" in html
    assert "{#" not in html and "{%" not in html  # no template source shows through
    unit_admin.language = "zh-hans"
    unit_admin.save()
    html = client.get(reverse("records:locations-list")).content.decode()
    assert 'data-label="名称"' in html  # the label follows the user's language


def test_no_query_per_card(tree, unit_admin, client):
    client.force_login(unit_admin)
    url = reverse("records:assets-list")
    rt = registry.get("assets")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    services.create_record(None, rt.model, rt.example(tree["a"]))
    one = count()
    for _ in range(19):
        services.create_record(None, rt.model, rt.example(tree["a"]))
    assert rt.model.objects.count() == 20
    assert count() == one


def test_a_child_list_without_its_linked_column_links_the_first_column_shown(tree):
    """A person's certificates leave out the person: the kind then opens the certificate."""
    rt = registry.get("certificates")
    cert = services.create_record(None, rt.model, rt.example(tree["a"]))
    table = table_class(rt)(rt.model.objects.all(), exclude=("person", "unit"))
    request = RequestFactory().get("/")
    html = table.as_html(request)
    assert f'href="{cert.get_absolute_url()}"' in html
    assert html.count('class="ff-card-title"') == 1
    full = table_class(rt)(rt.model.objects.all()).as_html(request)
    assert full.count(f'href="{cert.get_absolute_url()}"') == 1  # desktop list unchanged
