"""The scoping matrix, generated from the registry: for every record type and every
role, a user of school A can neither list, read, change, delete, export, fetch through
the API nor download files of sibling school B; a supervisor of the parent sees both.
A newly registered record type is covered without touching this file."""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangfan.core import evidence, permissions, registry, services
from fangfan.core.models import AuditEntry, Role
from fangfan.core.tests.helpers import api_payload, hold_grant, own_row

RECORD_TYPES = registry.record_types()


@pytest.fixture
def records(tree, django_user_model):
    root = django_user_model.objects.create_superuser("seed-root", password="x" * 12)

    def make(rt, unit):
        hold_grant(rt, root, unit)
        obj = services.create_record(root, rt.model, rt.example(unit))
        evidence.attach(root, obj, SimpleUploadedFile("proof.txt", f"{unit.code}".encode()))
        return obj

    return make


def _ids_in_api(client, rt) -> set[int]:
    resp = client.get(f"/api/{rt.slug}/", {"page_size": 1000})
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["results"]}


def _export_text(client, rt) -> str:
    resp = client.get(reverse(rt.url_name("export")), {"format": "csv"})
    assert resp.status_code == 200
    return b"".join(resp.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("rt", RECORD_TYPES, ids=lambda rt: rt.slug)
def test_sibling_unit_is_invisible(rt, role, tree, records, make_user, client, api_client):
    mine, theirs = records(rt, tree["a"]), records(rt, tree["b"])
    user = make_user(role, tree["a"])
    hold_grant(rt, user, tree["a"])  # the ledger: granted on A, still blind to B
    own_row(rt, mine, user)  # a role limited to its own records: this one is
    client.force_login(user)
    api_client.force_authenticate(user)
    acts = permissions.role_actions(role, rt)
    before = theirs.__class__.objects.filter(pk=theirs.pk).values().get()

    # Pages: list, detail, edit, delete. Without any view right the type is closed (403).
    list_url = reverse(rt.url_name("list"))
    resp = client.get(list_url)
    if "view" in acts:
        html = resp.content.decode()
        assert resp.status_code == 200
        assert f'href="{mine.get_absolute_url()}"' in html
        assert f'href="{theirs.get_absolute_url()}"' not in html
    else:
        assert resp.status_code == 403
    closed = {403} if "view" not in acts else {404}
    for view in ("detail", "edit", "delete"):
        url = reverse(rt.url_name(view), args=[theirs.pk])
        assert client.get(url).status_code in closed
    assert client.post(reverse(rt.url_name("delete"), args=[theirs.pk])).status_code in closed
    assert client.post(reverse(rt.url_name("edit"), args=[theirs.pk]),
                       {"name": "hacked"}).status_code in closed

    # Exports.
    if "export" in acts:
        text = _export_text(client, rt)
        assert "school-a" in text and "school-b" not in text
        xlsx = client.get(reverse(rt.url_name("export")), {"format": "xlsx"})
        assert xlsx.status_code == 200 and "school-b" not in _xlsx_text(xlsx.content)
    else:
        assert client.get(reverse(rt.url_name("export"))).status_code == 403

    # API.
    api_detail = f"/api/{rt.slug}/{theirs.pk}/"
    if "view" in acts:
        ids = _ids_in_api(api_client, rt)
        assert mine.pk in ids and theirs.pk not in ids
        assert api_client.get(api_detail).status_code == 404
        assert api_client.patch(api_detail, {"name": "hacked"}, format="json").status_code == 404
        assert api_client.delete(api_detail).status_code == 404
    else:
        assert api_client.get(f"/api/{rt.slug}/").status_code == 403
        assert api_client.get(api_detail).status_code == 403
        assert api_client.delete(api_detail).status_code == 403

    # Files and the audit log.
    for att in evidence.attachments_of(theirs):
        assert client.get(reverse("attachment", args=[att.pk])).status_code == 404
    for att in evidence.attachments_of(mine):
        expected = 200 if "view" in acts else 404
        assert client.get(reverse("attachment", args=[att.pk])).status_code == expected
    if permissions.can_read_audit(user):
        visible = AuditEntry.objects.filter(permissions.audit_q(user))
        assert visible.filter(record_id=str(mine.pk), record_type=rt.label).exists()
        assert not visible.filter(unit_path__startswith=tree["b"].path).exists()
        their_entry = AuditEntry.objects.filter(record_type=rt.label,
                                                record_id=str(theirs.pk)).first()
        assert client.get(reverse("audit-entry", args=[their_entry.pk])).status_code == 404
        assert f"/audit/{their_entry.pk}/" not in client.get(reverse("audit-log")).content.decode()

    # Nothing of B changed.
    assert theirs.__class__.objects.filter(pk=theirs.pk).values().get() == before


@pytest.mark.parametrize("rt", RECORD_TYPES, ids=lambda rt: rt.slug)
def test_supervisor_of_parent_sees_both(rt, tree, records, make_user, client, api_client):
    a, b = records(rt, tree["a"]), records(rt, tree["b"])
    # The supervisor, or for what supervisors do not read (the ledger's grants and read
    # log) the district's reader of it: the auditor.
    role = next(r for r in (Role.SUPERVISOR, Role.AUDITOR)
                if "view" in permissions.role_actions(r, rt))
    user = make_user(role, tree["district"])
    hold_grant(rt, user, tree["district"])
    client.force_login(user)
    api_client.force_authenticate(user)
    html = client.get(reverse(rt.url_name("list")), {"per_page": 100}).content.decode()
    assert f'href="{a.get_absolute_url()}"' in html and f'href="{b.get_absolute_url()}"' in html
    assert {a.pk, b.pk} <= _ids_in_api(api_client, rt)
    text = _export_text(client, rt)
    assert "school-a" in text and "school-b" in text
    for obj in (a, b):
        assert client.get(obj.get_absolute_url()).status_code == 200


CREATABLE = [rt for rt in RECORD_TYPES if rt.slug != "units" and any(
    "add" in permissions.role_actions(r, rt) for r in Role)]


@pytest.mark.parametrize("rt", CREATABLE, ids=lambda rt: rt.slug)
def test_cannot_create_in_sibling_unit(rt, tree, make_user, api_client, client):
    role = next(r for r in (Role.UNIT_ADMIN, Role.SUPERVISOR, Role.SYSTEM_ADMIN)
                if "add" in permissions.role_actions(r, rt))
    unit_admin = make_user(role, tree["a"])
    hold_grant(rt, unit_admin, tree["a"])
    data = rt.example(tree["b"])
    count = rt.model.objects.count()
    api_client.force_authenticate(unit_admin)
    payload = api_payload(rt, data)
    assert api_client.post(f"/api/{rt.slug}/", payload, format="json").status_code == 400
    client.force_login(unit_admin)
    form = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    assert client.post(reverse(rt.url_name("add")), form).status_code == 400
    assert rt.model.objects.count() == count


def _xlsx_text(data: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(str(c) for row in book.worksheets[0].iter_rows(values_only=True)
                    for c in row if c is not None)

