"""Private by default (X-3), generated for every record type that declares personal
data: for each role that sees the type, the list and its cards, the record's page, the
API's list and detail, the .xlsx and .csv exports and the audit log show the personal
fields masked, never in full; the permission to see in full reveals a value on the
record's page, through the API's detail (`?reveal=`) and in an export (`?reveal=1`),
each read logged; without it every reveal is refused."""
from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fangfan.core import permissions, privacy, registry, services
from fangfan.core.models import PersonalDataRead, Role, User
from fangfan.core.tests.helpers import hold_grant

PERSONAL = [rt for rt in registry.record_types() if rt.personal_data is not None]
# A valid value of each kind, for a field the type's example leaves empty.
SAMPLES = {privacy.Kind.PHONE: "13912345678", privacy.Kind.IDENTITY: "11010519491231002X",
           privacy.Kind.PLATE: "苏B12345", privacy.Kind.NAME: "张三丰",
           privacy.Kind.ADDRESS: "江苏省无锡市梁溪区中山路1号"}


def _record(rt, tree):
    """The type's example at school A, its personal fields filled where it can be."""
    obj = services.create_record(None, rt.model, rt.example(tree["a"]))
    for name, kind in rt.personal_data.fields.items():
        if getattr(obj, name) in (None, "") and kind in SAMPLES:
            try:
                obj = services.update_record(None, obj, {name: SAMPLES[kind]})
            except ValidationError:
                obj.refresh_from_db()
    return obj


def _values(rt, obj) -> dict[str, tuple[str, str]]:
    """{field: (full text, mask)} of the personal fields holding a value (not photos)."""
    out = {}
    for name, kind in rt.personal_data.fields.items():
        value = getattr(obj, name)
        if value not in (None, "") and kind != privacy.Kind.FACE:
            out[name] = (str(value), privacy.mask(kind, value))
    return out


def _xlsx_text(content: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True)
                     for c in row if c is not None)


def _json(resp) -> str:
    return json.dumps(resp.json(), ensure_ascii=False)


def _csv_text(resp) -> str:
    return b"".join(resp.streaming_content).decode("utf-8-sig")


def _viewers(rt, tree) -> list[User]:
    users = []
    for role in Role.values:
        if "view" not in permissions.role_actions(role, rt):
            continue
        user = User.objects.create_user(f"{role}-{rt.slug}"[:150], password="pw-long-enough-1")
        services.grant_role(None, user, tree["a"], role)
        hold_grant(rt, user, tree["a"])  # a type that needs its own grant: held
        if permissions.allowed(user, "view", rt, tree["a"].path):
            users.append(user)
    return users


@pytest.mark.parametrize("rt", PERSONAL, ids=lambda rt: rt.slug)
def test_declaration_is_complete(rt):
    pd = rt.personal_data
    names = {f.name for f in rt.model._meta.get_fields()}
    assert pd.fields and set(pd.fields) <= names, "personal fields must be fields"
    assert set(pd.fields.values()) <= set(privacy.KIND_LABELS), "an unknown kind"
    assert str(pd.purpose) and str(pd.legal_basis)
    if pd.retention_days is not None:
        assert pd.retention_from in names, "retention counts from a date of the record"


@pytest.mark.parametrize("rt", PERSONAL, ids=lambda rt: rt.slug)
def test_masked_for_every_role(rt, tree, client):
    obj = _record(rt, tree)
    values = _values(rt, obj)
    assert values, f"{rt.slug}: the example fills no personal field to test"
    users = _viewers(rt, tree)
    assert users
    pages = {"list": reverse(rt.url_name("list")),
             "detail": reverse(rt.url_name("detail"), args=[obj.pk])}
    for user in users:
        client.force_login(user)
        shown = {name: client.get(url).content.decode() for name, url in pages.items()}
        shown["api list"] = _json(client.get(f"/api/{rt.slug}/"))
        shown["api detail"] = _json(client.get(f"/api/{rt.slug}/{obj.pk}/"))
        if permissions.allowed(user, "export", rt, privacy.path_of(obj)):
            export = reverse(rt.url_name("export"))
            shown["xlsx"] = _xlsx_text(client.get(export, {"format": "xlsx"}).content)
            shown["csv"] = _csv_text(client.get(export, {"format": "csv"}))
        if permissions.can_read_audit(user):
            shown["audit"] = client.get(reverse("audit-log"), {"type": rt.label}).content.decode()
            shown["history"] = shown["detail"]
        for where, text in shown.items():
            for name, (full, _mask) in values.items():
                assert full not in text, f"{rt.slug}: {name} in full in {where} for {user}"
        for name, (_full, mask) in values.items():
            if name in rt.list_fields:
                assert mask in shown["list"], (name, "list")
            if name in rt.shown_fields():
                assert mask in shown["detail"], (name, "detail")
                assert f'data-testid="reveal-{name}"' not in shown["detail"]
            if name in rt.form_fields:
                assert mask in shown["api detail"], (name, "api")
            if "csv" in shown and name in rt.columns():
                assert mask in shown["csv"] and mask in shown["xlsx"], (name, "export")
        # Nobody reveals without the permission: page, API, export.
        for name in values:
            url = reverse(rt.url_name("reveal"), args=[obj.pk, name])
            assert client.post(url, HTTP_HX_REQUEST="true").status_code == 403
        assert client.get(f"/api/{rt.slug}/{obj.pk}/", {"reveal": "all"}).status_code == 403
        if "csv" in shown:
            assert client.get(reverse(rt.url_name("export")),
                              {"format": "csv", "reveal": "1"}).status_code == 403
    assert not PersonalDataRead.objects.exists()


@pytest.mark.parametrize("rt", PERSONAL, ids=lambda rt: rt.slug)
def test_revealed_with_the_permission_and_logged(rt, tree, client, make_user):
    obj = _record(rt, tree)
    values = _values(rt, obj)
    user = make_user(Role.UNIT_ADMIN, tree["a"])
    hold_grant(rt, user, tree["a"])
    privacy.grant(None, user, tree["a"])
    client.force_login(user)
    listed = client.get(reverse(rt.url_name("list"))).content.decode()
    assert all(full not in listed for full, _ in values.values())  # lists stay masked
    page = client.get(reverse(rt.url_name("detail"), args=[obj.pk])).content.decode()
    for name, (full, _mask) in values.items():
        if name not in rt.shown_fields():
            continue
        assert full not in page and f'data-testid="reveal-{name}"' in page
        url = reverse(rt.url_name("reveal"), args=[obj.pk, name])
        answer = client.post(url, HTTP_HX_REQUEST="true").content.decode()
        assert full in answer
        read = PersonalDataRead.objects.latest("id")
        assert (read.user, read.record_id, read.fields, read.channel) == (
            user, str(obj.pk), [name], "page")
    api_names = [n for n in values if n in rt.form_fields]
    if api_names:
        data = client.get(f"/api/{rt.slug}/{obj.pk}/", {"reveal": ",".join(api_names)}).json()
        assert all(data[n] == values[n][0] for n in api_names)
        assert PersonalDataRead.objects.latest("id").channel == "api"
        assert client.get(f"/api/{rt.slug}/{obj.pk}/",
                          {"reveal": "nonsense"}).status_code == 400
    if permissions.allowed(user, "export", rt, privacy.path_of(obj)) and set(
            values) & set(rt.columns()):
        before = PersonalDataRead.objects.filter(channel="export").count()
        text = _xlsx_text(client.get(reverse(rt.url_name("export")),
                                     {"format": "xlsx", "reveal": "1"}).content)
        assert any(full in text for n, (full, _) in values.items() if n in rt.columns())
        assert PersonalDataRead.objects.filter(channel="export").count() > before
    # The read log shows it in the reader's words: no field codes.
    log = client.get(reverse("privacy-reads")).content.decode()
    labels = [str(obj._meta.get_field(n).verbose_name) for n in values]
    assert any(label in log.lower() for label in labels)
