"""Every related-record filter of every record type answers, through the pages and the
API, whether it is given a record's number or a word: a record with no name field is
found by its number only (a word finds nothing), never a 500 (a lookup of a field that
does not exist). Generated from the registry, so a new type is covered."""
from __future__ import annotations

import pytest

from fangfan.core import registry
from fangfan.core.filters import RelatedFilter, filterset_class
from fangfan.core.models import Role


def _related_filters():
    for rt in registry.record_types():
        for name, flt in filterset_class(rt).base_filters.items():
            if isinstance(flt, RelatedFilter):
                yield pytest.param(rt.slug, name, id=f"{rt.slug}-{name}")


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "name"), list(_related_filters()))
def test_related_filters_answer_a_number_and_a_word(slug, name, tree, make_user, client,
                                                    api_client):
    user = make_user(Role.SYSTEM_ADMIN, tree["city"])
    client.force_login(user)
    api_client.force_authenticate(user)
    for value in ("1", "甲 name"):
        page = client.get(f"/{slug}/", {name: value})
        api = api_client.get(f"/api/{slug}/", {name: value})
        assert page.status_code in (200, 403), (slug, name, value, page.status_code)
        assert api.status_code in (200, 403), (slug, name, value, api.status_code)
