"""The REST API: token auth, generated viewsets, OpenAPI, validation through services."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from fangfan.core import permissions, registry
from fangfan.core.filters import filterset_class
from fangfan.core.models import AuditEntry, Role
from fangfan.core.tests.helpers import api_payload, hold_grant
from fangfan.resources.models import Location


def test_token_from_username_and_password(tree, unit_admin, api_client):
    resp = api_client.post("/api/auth/token/", {"username": unit_admin.username,
                                                "password": "pw-long-enough-1"}, format="json")
    assert resp.status_code == 200
    token = resp.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/locations/").status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert api_client.get("/api/locations/").status_code == 401


def test_wrong_password_gets_no_token(tree, unit_admin, api_client):
    resp = api_client.post("/api/auth/token/", {"username": unit_admin.username,
                                                "password": "wrong"}, format="json")
    assert resp.status_code == 400 and "token" not in resp.json()


def test_anonymous_is_refused(db, api_client):
    assert api_client.get("/api/locations/").status_code == 401


def test_create_filter_update_delete(tree, unit_admin, api_client):
    api_client.force_authenticate(unit_admin)
    resp = api_client.post("/api/locations/", {"unit": "school-a", "name": "南校门",
                                               "kind": "main_gate", "is_key": True},
                           format="json", HTTP_X_REQUEST_ID="req-42")
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    entry = AuditEntry.objects.get(record_type="resources.location", record_id=str(pk))
    assert entry.request_id == "req-42" and entry.actor_name == unit_admin.username
    api_client.post("/api/locations/", {"unit": "school-a", "name": "食堂", "kind": "canteen"},
                    format="json")
    rows = api_client.get("/api/locations/", {"kind": "main_gate"}).json()["results"]
    assert [r["name"] for r in rows] == ["南校门"]
    rows = api_client.get("/api/locations/", {"q": "食"}).json()["results"]
    assert [r["name"] for r in rows] == ["食堂"]
    assert api_client.patch(f"/api/locations/{pk}/", {"name": "南大门"},
                            format="json").status_code == 200
    assert Location.objects.get(pk=pk).name == "南大门"
    assert api_client.delete(f"/api/locations/{pk}/").status_code == 204
    assert not Location.objects.filter(pk=pk).exists()


def test_validation_errors_name_the_field_translated_and_change_nothing(tree, make_user,
                                                                       api_client):
    user = make_user(Role.UNIT_ADMIN, tree["a"], username="zh", language="zh-hans")
    api_client.force_authenticate(user)
    resp = api_client.post("/api/assets/", {"unit": "school-a", "category": "camera",
                                            "retention_days": 30}, format="json",
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 400
    assert set(resp.json()) == {"retention_days"}
    resp = api_client.post("/api/assets/", {"unit": "school-a", "category": "camera",
                                            "quantity": 0}, format="json",
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 400 and "确保该值大于或" in resp.json()["quantity"][0]
    resp = api_client.post("/api/assets/", {"unit": "school-a", "category": "spaceship"},
                           format="json")
    assert resp.status_code == 400 and "category" in resp.json()
    from fangfan.resources.models import Asset

    assert not Asset.objects.exists()


def test_read_only_role_cannot_write(tree, make_user, api_client):
    api_client.force_authenticate(make_user(Role.PRINCIPAL, tree["a"]))
    resp = api_client.post("/api/locations/", {"unit": "school-a", "name": "门",
                                               "kind": "other"}, format="json")
    assert resp.status_code == 403 and not Location.objects.exists()


def test_openapi_schema_lists_every_record_type(db, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("u", password="x" * 12))
    resp = client.get("/api/schema/", {"format": "json"})
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    for rt in registry.record_types():
        assert f"/api/{rt.slug}/" in paths and f"/api/{rt.slug}/{{id}}/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()


WRITABLE = [rt for rt in registry.record_types()
            if "add" in permissions.role_actions(Role.SYSTEM_ADMIN, rt)]
READ_ONLY = [rt for rt in registry.record_types() if rt not in WRITABLE]


@pytest.mark.parametrize("rt", READ_ONLY, ids=lambda rt: rt.slug)
def test_read_only_types_refuse_writes_through_the_api(rt, tree, django_user_model,
                                                      api_client):
    from fangfan.core import services

    admin = django_user_model.objects.create_user("sys", password="x" * 12)
    services.grant_role(None, admin, tree["city"], Role.SYSTEM_ADMIN)
    hold_grant(rt, admin, tree["city"])
    api_client.force_authenticate(admin)
    payload = api_payload(rt, rt.example(tree["a"]))
    count = rt.model.objects.count()
    assert api_client.post(f"/api/{rt.slug}/", payload, format="json").status_code == 403
    assert rt.model.objects.count() == count


@pytest.mark.parametrize("rt", WRITABLE, ids=lambda rt: rt.slug)
def test_every_type_can_be_created_through_the_api(rt, tree, django_user_model, api_client):
    admin = django_user_model.objects.create_user("sys", password="x" * 12)
    from fangfan.core import services

    services.grant_role(None, admin, tree["city"], Role.SYSTEM_ADMIN)
    hold_grant(rt, admin, tree["city"])
    api_client.force_authenticate(admin)
    payload = api_payload(rt, rt.example(tree["a"]))
    resp = api_client.post(f"/api/{rt.slug}/", payload, format="json")
    assert resp.status_code == 201, resp.json()
    detail = api_client.get(f"/api/{rt.slug}/{resp.json()['id']}/")
    assert detail.status_code == 200
    # A list reads the units its rows name by their codes alone, a record its units
    # (RecordViewSet.get_queryset): both answer the same.
    listed = api_client.get(f"/api/{rt.slug}/").json()["results"]
    assert [row for row in listed if row["id"] == detail.json()["id"]] == [detail.json()]




def test_schema_in_english_leaves_list_filter_labels_chinese(tree, make_user, client):
    """Rendering the schema reads the filtersets; the language of that one request must
    not stick to every list page afterwards (issue 8, item 4)."""
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"], username="en-reader"))
    assert client.get("/api/schema/", {"format": "json"},
                      HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"], username="zh-reader",
                                 language="zh-hans"))
    html = client.get(reverse("records:assets-list")).content.decode()
    for label in ("类别", "状态", "部位"):
        assert f">{label}</label>" in html, label
    assert ">Category</label>" not in html and ">Status</label>" not in html
    for rt in registry.record_types():  # and no list shows an English filter label
        html = client.get(reverse(rt.list_url_name)).content.decode()
        for name, flt in filterset_class(rt).base_filters.items():
            english, chinese = (_in(lang, flt.label) for lang in ("en", "zh-hans"))
            assert english == chinese or f">{english}</label>" not in html, (rt.slug, name)


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def _shape(field) -> tuple:
    """A field's class, arguments and its validators' classes (their reprs hold
    addresses and querysets)."""
    kwargs = {k: v for k, v in field._kwargs.items() if k not in ("validators", "queryset")}
    return (type(field), re.sub(r" at 0x[0-9a-f]+", "", repr(sorted(kwargs.items()))),
            [type(v) for v in field.validators])


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_serializers_share_no_field_between_requests(rt, db):
    """Fields are built once per type and made afresh for each serializer: two
    serializers (two requests, perhaps in two threads) never hold the same field, nor the
    same child of a list field, and see the same fields a fresh build would."""
    from fangfan.core.api import ScopedSerializer, serializer_class

    cls = serializer_class(rt)
    one, two = cls().fields, cls().fields
    built = super(ScopedSerializer, cls()).get_fields()
    assert list(one) == list(two) == list(built)
    for name in one:
        assert one[name] is not two[name]
        assert type(one[name]) is type(built[name])
        assert _shape(one[name]) == _shape(built[name])
        if hasattr(one[name], "child"):
            assert one[name].child is not two[name].child
    with translation.override("zh-hans"):  # labels follow the request, not the build
        for name, field in cls().fields.items():
            model_field = next((f for f in rt.model._meta.fields if f.name == name), None)
            if model_field is not None and name in rt.form_fields:
                assert str(field.label) == capfirst(str(model_field.verbose_name))


@pytest.mark.parametrize("rt", WRITABLE, ids=lambda rt: rt.slug)
def test_representation_reads_as_drf_would(rt, tree):
    """The serializer's own representation (`ScopedSerializer.represent`) answers what
    DRF's field-by-field one would, for an example of each type and the records it made
    (units, people, locations... referred to), with optional fields filled and empty."""
    from rest_framework import serializers

    from fangfan.core import services
    from fangfan.core.api import serializer_class

    services.create_record(None, rt.model, rt.example(tree["a"]))
    seen = 0
    for other in registry.record_types():
        ser = serializer_class(other)()
        for obj in other.model.objects.all():
            ours = ser.represent(obj)
            drf = serializers.Serializer.to_representation(ser, obj)
            assert ours == drf
            # The same kinds too (True, not 1), as JSON tells them apart.
            assert {k: type(v) for k, v in ours.items()} == {
                k: type(v) for k, v in drf.items()}
            seen += 1
    assert seen >= 1


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_lists_read_by_compiled_sql_answer_as_the_queryset(rt, tree, make_user, api_client,
                                                           monkeypatch):
    """A plain list page is read by SQL compiled once per scope shape (`ScopedRows`): it
    answers what the queryset answers, page by page (links and totals included), for a
    whole-tree administrator, a user of two schools (two subtrees, one of them perhaps
    limited to their own rows) and a superuser, and each of them compiles once."""
    from fangfan.core import api, prepared, services
    from fangfan.core.apiquery import StrictPagination

    if rt in WRITABLE:
        for school in ("a", "b"):
            services.create_record(None, rt.model, rt.example(tree[school]))
    callers = _three_callers(rt, tree, make_user)
    monkeypatch.setattr(StrictPagination, "page_size", 1)
    shown = 0
    for user in callers:
        api_client.force_authenticate(user)
        for page in ("1", "2", "3"):
            compiled = api_client.get(f"/api/{rt.slug}/", {"page": page})
            with monkeypatch.context() as queryset_only:
                queryset_only.setattr(prepared, "shape_of", _uncacheable)
                expected = api_client.get(f"/api/{rt.slug}/", {"page": page})
            assert compiled.status_code == expected.status_code
            assert compiled.json() == expected.json(), (user.username, page)
            shown += compiled.status_code == 200 and len(compiled.json()["results"])
    assert shown or rt not in WRITABLE
    assert bool(api._shapes(rt)._compiled) == (not services.logs_reads(rt))


def _three_callers(rt, tree, make_user) -> list:
    """A whole-tree administrator, a user of two schools (an administrator of one, a
    guard of the other: one subtree perhaps limited to their own rows) and a superuser,
    each holding the type's own grant where it needs one."""
    from fangfan.core import services

    admin = make_user(Role.SYSTEM_ADMIN, tree["city"], username="sys")
    two = make_user(Role.UNIT_ADMIN, tree["a"], username="two")
    services.grant_role(None, two, tree["b"], Role.GUARD)
    callers = [admin, two, _superuser()]
    for user in callers:
        hold_grant(rt, user, tree["city"])
    return callers


def _uncacheable(q):
    from fangfan.core.prepared import Uncacheable

    raise Uncacheable("the queryset's path, for comparison")


def _superuser():
    from fangfan.core.models import User

    return User.objects.create_superuser("root", password="pw-long-enough-1")


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_a_record_read_by_compiled_sql_answers_as_drf_finds_it(rt, tree, make_user,
                                                               api_client, monkeypatch):
    """The API's detail reads its record by SQL compiled once per scope shape
    (`RecordViewSet.get_object`): every record of both schools, and numbers that name
    nothing or could not be a record's, answer what DRF's own `get_object` answers (the
    same status and body; "not found" naming no model), for a whole-tree administrator,
    a user of one school and of another limited to their own rows, and a superuser."""
    from rest_framework.generics import GenericAPIView

    from fangfan.core import api, services

    made = [services.create_record(None, rt.model, rt.example(tree[school])).pk
            for school in ("a", "b") if rt in WRITABLE]
    keys = [*map(str, made), "0", "99999999", "9" * 19, "9" * 30, "٣", "1e3"]
    for user in _three_callers(rt, tree, make_user):
        api_client.force_authenticate(user)
        for key in keys:
            compiled = api_client.get(f"/api/{rt.slug}/{key}/")
            with monkeypatch.context() as drf_only:
                drf_only.setattr(api.RecordViewSet, "get_object", GenericAPIView.get_object)
                expected = api_client.get(f"/api/{rt.slug}/{key}/")
            assert compiled.status_code == expected.status_code, (user.username, key)
            assert compiled.content == expected.content, (user.username, key)
            if compiled.status_code == 404:  # never the model's name (DRF: "No Unit…")
                assert list(compiled.json()) == ["detail"] and b"matches" not in \
                    compiled.content, key
