"""Every cell of docs/permissions.md, asserted (issue 13): for each record type and role,
on a record of the role's own unit, each action the table grants succeeds and each it
withholds is refused — through the API (list, read, add, change, delete) and the pages
(export, import). Generated from the registry and the permission rules the table is
generated from, so the table, the code and the behaviour cannot drift apart."""
from __future__ import annotations

import pytest
from django.urls import reverse

from fangfan.core import permissions, registry, services
from fangfan.core.models import Role, Unit
from fangfan.core.tests.helpers import api_payload, hold_grant, own_row

RECORD_TYPES = registry.record_types()


def _change(rt, obj) -> dict:
    if rt.example_update:
        return api_payload(rt, rt.example_update(obj))
    field = next(n for n in rt.form_fields if n in ("name", "notes", "quantity", "phone"))
    return {field: 7 if field == "quantity" else "改过"}


def _expect(resp, allowed: bool, ok: int) -> None:
    if allowed:
        assert resp.status_code == ok, (resp.status_code, getattr(resp, "data", None))
    else:
        assert resp.status_code in (403, 404), resp.status_code


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("rt", RECORD_TYPES, ids=lambda rt: rt.slug)
def test_every_cell_of_the_permission_table(rt, role, tree, make_user, api_client, client,
                                            django_user_model):
    if rt.model is Unit:
        pytest.skip("units are created and changed through the unit tree's own rules")
    acts = permissions.role_actions(role, rt)
    root = django_user_model.objects.create_superuser(f"root-{rt.slug}", password="x" * 12)
    user = make_user(role, tree["a"])
    # A type that needs a grant (the ledger): both hold it, so the role's cells are tested.
    hold_grant(rt, root, tree["a"])
    hold_grant(rt, user, tree["a"])
    api_client.force_authenticate(user)
    client.force_login(user)
    url = f"/api/{rt.slug}/"
    data = rt.example(tree["a"])

    resp = api_client.post(url, api_payload(rt, data), format="json")
    _expect(resp, "add" in acts, 201)
    obj = (rt.model.objects.get(pk=resp.data["id"]) if resp.status_code == 201
           else services.create_record(root, rt.model, data))
    own_row(rt, obj, user)  # a role limited to its own records: this one is

    _expect(api_client.get(url), "view" in acts, 200)
    _expect(api_client.get(f"{url}{obj.pk}/"), "view" in acts, 200)
    _expect(api_client.patch(f"{url}{obj.pk}/", _change(rt, obj), format="json"),
            "change" in acts and "view" in acts, 200)
    _expect(client.get(reverse(rt.url_name("export")), {"format": "csv"}),
            "export" in acts, 200)
    _expect(client.get(reverse(rt.url_name("import"))), "import" in acts and rt.importable,
            200)
    _expect(api_client.delete(f"{url}{obj.pk}/"), "delete" in acts and "view" in acts, 204)
    assert rt.model.objects.filter(pk=obj.pk).exists() == (
        not ("delete" in acts and "view" in acts))
