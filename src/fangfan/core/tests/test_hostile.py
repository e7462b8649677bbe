"""Hostile input, generated per writable record type from its fields: through the API
and through the forms, every case answers 400 or 413 with a message, stores nothing
(no row, no audit entry) and never answers 500 (issue 13, item 1)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from fangfan.core import limits, permissions, registry, services
from fangfan.core.fields import ChoiceListField
from fangfan.core.models import AuditEntry, Role
from fangfan.core.parsers import MAX_DEPTH, nesting_depth
from fangfan.core.tests.helpers import api_payload, hold_grant

WRITABLE = [rt for rt in registry.record_types()
            if "add" in permissions.role_actions(Role.SYSTEM_ADMIN, rt)]
FIVE_MB = "长" * (5 * 1024 * 1024 // 3 + 1)  # 5 MB in UTF-8
INVISIBLE = ["a\x00b", "a\u200bb", "\u202egnp.exe", "a\x07b"]
DEEP = 1000
# Stands for a value nested DEEP lists deep, spliced into the body as text (encoding such
# a value with json.dumps would itself recurse too deep).
NESTED = "<nested>"


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def api_cases(field: models.Field) -> list:
    """Bad JSON values for one model field, by its type."""
    if isinstance(field, ChoiceListField):
        return [1, True, "patrol", [["patrol"]], [{"a": 1}], {"a": 1}, ["spaceship"], [1],
                NESTED]
    if isinstance(field, models.ForeignKey):
        return [True, [1], [[1]], {"id": 1}, 2**63, 1e30, -1, "abc", NESTED]
    if field.choices:
        return [10**9, True, ["x"], [["x"]], {"a": 1}, "spaceship"]
    if isinstance(field, models.BooleanField):
        return [[1], {"a": 1}, "maybe", 5]
    if isinstance(field, models.DateTimeField):
        return ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "0001-01-01T00:00:00+14:00",
                "9999-12-31T23:59:59-12:00", "2026-02-30T10:00", "1899-12-31T12:00:00",
                1e30, True, ["2026-03-01T08:00"], {"a": 1}]
    if isinstance(field, models.DateField):
        return ["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "1899-12-31",
                "2101-01-01", 20260301, True, ["2026-03-01"], {"a": 1}]
    if isinstance(field, models.DecimalField):
        return [1e30, 2**63, "NaN", "Infinity", True, [1], {"a": 1}]
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return [1e9, 1e30, -1, 2**63, -(2**63), True, "1e30", 1.5, [1], [[1]], {"a": 1}]
    if isinstance(field, (models.CharField, models.TextField)):
        return [12345, True, ["a"], [["a"]], {"a": 1}, *too_long(field), *INVISIBLE,
                "\ud800", NESTED]
    return []


def form_cases(field: models.Field) -> list:
    """Bad typed values for one form field (a form only sends text)."""
    if isinstance(field, ChoiceListField):
        return [["spaceship"]]
    if isinstance(field, models.ForeignKey):
        return [str(2**63), "-1", "abc", "1e30"]
    if field.choices:
        return ["spaceship"]
    if isinstance(field, models.DateTimeField):
        return ["0001-01-01 00:00", "9999-12-31 23:59", "2026-02-30 10:00",
                "1899-12-31 12:00"]
    if isinstance(field, models.DateField):
        return ["0001-01-01", "9999-12-31", "2026-02-30", "1899-12-31", "2101-01-01", "x"]
    if isinstance(field, models.DecimalField):
        return ["1e30", str(2**63), "NaN", "Infinity"]
    if isinstance(field, models.IntegerField):
        return ["1000000000", "1e30", "-1", str(2**63), "9" * 5000]
    if isinstance(field, (models.CharField, models.TextField)):
        return [*too_long(field), *INVISIBLE]
    return []


def too_long(field: models.Field) -> list[str]:
    """One character over the field's length, and 10,000 characters in a short field."""
    over = ["x" * ((field.max_length or limits.TEXT_MAX_LENGTH) + 1)]
    return over + ["x" * 10_000] if field.max_length else over


@pytest.fixture
def admin(tree, make_user):
    user = make_user(Role.SYSTEM_ADMIN, tree["city"])
    for rt in registry.record_types():  # and the ledger's own grant
        hold_grant(rt, user, tree["city"])
    return user


def example(rt, tree) -> dict:
    return rt.example(tree["district"] if rt.slug == "units" else tree["a"])


def counts(rt) -> tuple[int, int]:
    return rt.model.objects.count(), AuditEntry.objects.count()


def _form_value(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    if value is True:
        return "on"
    return value


def refused(resp) -> str:
    """Why a case failed, or "" when it was refused as it should be."""
    if resp.status_code not in (400, 413):
        return f"answered {resp.status_code}"
    if not resp.content.strip():
        return "refused without a message"
    return ""


def hostile_api_bodies(rt, payload: dict) -> list[tuple[str, str]]:
    """(label, raw JSON) of every case for one type: each field's bad values, the whole
    body nested too deep, and bodies that are not an object or not JSON."""
    bodies = []
    for name in rt.form_fields:
        for value in api_cases(rt.model._meta.get_field(name)):
            body = json.dumps({**payload, name: value}).replace(f'"{NESTED}"', nested(DEEP))
            bodies.append((f"{name}={str(value)[:40]!r}", body))
        bodies.append((f"{name}=5MB", json.dumps({**payload, name: FIVE_MB},
                                                 ensure_ascii=False)))
    bodies += [("body nested", "[" * DEEP * 10 + "]" * DEEP * 10),
               ("object nested", '{"a":' * DEEP + "1" + "}" * DEEP),
               ("list body", json.dumps([payload])), ("string body", '"x"'),
               ("broken", "{"), ("NaN", json.dumps({**payload, "x": float("nan")})),
               ("long number", "{\"a\": " + "9" * 5000 + "}")]
    return bodies


@pytest.mark.parametrize("rt", WRITABLE, ids=lambda rt: rt.slug)
def test_hostile_api_bodies_are_refused_and_store_nothing(rt, tree, admin, api_client):
    api_client.force_authenticate(admin)
    payload = api_payload(rt, example(rt, tree))
    before, failures = counts(rt), []
    for label, body in hostile_api_bodies(rt, payload):
        resp = api_client.post(f"/api/{rt.slug}/", body.encode("utf-8", "surrogatepass"),
                               content_type="application/json")
        if why := refused(resp) or (counts(rt) != before and "stored"):
            failures.append(f"{label}: {why}")
        before = counts(rt)
    assert not failures, failures
    assert len(hostile_api_bodies(rt, payload)) > 10


@pytest.mark.parametrize("rt", WRITABLE, ids=lambda rt: rt.slug)
def test_hostile_updates_are_refused_and_change_nothing(rt, tree, admin, api_client):
    """A PATCH of each field with each bad value leaves the record and the log alone."""
    api_client.force_authenticate(admin)
    obj = services.create_record(None, rt.model, example(rt, tree)) \
        if rt.slug != "units" else services.create_unit(None, example(rt, tree))
    before, failures = counts(rt), []
    for name in rt.form_fields:
        for value in api_cases(rt.model._meta.get_field(name))[:6]:
            body = json.dumps({name: value}).replace(f'"{NESTED}"', nested(DEEP))
            resp = api_client.patch(f"/api/{rt.slug}/{obj.pk}/", body,
                                    content_type="application/json")
            if why := refused(resp):
                failures.append(f"{name}={str(value)[:40]!r}: {why}")
    assert not failures, failures
    assert counts(rt) == before


@pytest.mark.parametrize("rt", WRITABLE, ids=lambda rt: rt.slug)
def test_hostile_form_posts_are_refused_and_store_nothing(rt, tree, admin, client):
    client.force_login(admin)
    url = reverse(rt.add_url_name)
    payload = {k: _form_value(v) for k, v in example(rt, tree).items() if v is not False}
    before, failures = counts(rt), []
    for name in rt.form_fields:
        field = rt.model._meta.get_field(name)
        cases = form_cases(field)
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            cases.append(FIVE_MB)
        for value in cases:
            resp = client.post(url, {**payload, name: value})
            if why := refused(resp) or (counts(rt) != before and "stored"):
                failures.append(f"{name}={str(value)[:40]!r}: {why}")
            before = counts(rt)
    assert not failures, failures


def test_the_valid_example_passes_both_ways(tree, admin, client, api_client):
    """The harness is real: the unchanged example is stored through API and form."""
    rt = registry.get("locations")
    api_client.force_authenticate(admin)
    payload = api_payload(rt, example(rt, tree))
    assert api_client.post(f"/api/{rt.slug}/", payload, format="json").status_code == 201
    client.force_login(admin)
    payload = {k: _form_value(v) for k, v in example(rt, tree).items() if v is not False}
    payload["name"] = "北校门"
    assert client.post(reverse(rt.add_url_name), payload).status_code == 302
    assert rt.model.objects.count() == 2


def test_nesting_is_measured_outside_strings():
    assert nesting_depth("[" * MAX_DEPTH + "]" * MAX_DEPTH) <= MAX_DEPTH
    assert nesting_depth("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)) == MAX_DEPTH + 1
    assert nesting_depth(json.dumps({"a": "[" * 5000})) <= 1
    assert nesting_depth(json.dumps({"a": '"[' * 5000})) <= 1


def test_json_depth_limit_is_400(tree, admin, api_client):
    api_client.force_authenticate(admin)
    for depth, status in ((MAX_DEPTH - 1, 400), (MAX_DEPTH + 1, 400)):
        body = json.dumps({"unit": "school-a", "name": NESTED, "kind": "other"}).replace(
            f'"{NESTED}"', nested(depth - 1))
        resp = api_client.post("/api/locations/", body, content_type="application/json")
        assert resp.status_code == status
        deep = "deeper than" in resp.json().get("detail", "")
        assert deep == (depth > MAX_DEPTH), resp.json()


def test_too_large_body_is_413_with_a_message(tree, unit_admin, client, api_client,
                                              settings):
    client.force_login(unit_admin)
    big = {"unit": tree["a"].pk, "name": "门", "kind": "other", "notes": FIVE_MB}
    resp = client.post(reverse("records:locations-add"), big)
    assert resp.status_code == 413
    assert "The request is too large: at most 2.0" in resp.content.decode()
    resp = client.post(reverse("records:locations-add"), big,
                       content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 413
    api_client.force_authenticate(unit_admin)
    resp = api_client.post("/api/locations/", {**big, "unit": "school-a"}, format="json")
    assert resp.status_code == 413 and "2.0" in resp.json()["detail"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # configurable: now text's cap
    resp = api_client.post("/api/locations/", {**big, "unit": "school-a"}, format="json")
    assert resp.status_code == 400 and "notes" in resp.json()


def test_limits_hold_for_writes_through_the_services(tree):
    """Imports, the demo and code write through services: the same limits apply."""
    from fangfan.core.tests.helpers import refused as service_refused
    from fangfan.resources.models import Location

    data = {"unit": tree["a"], "name": "门", "kind": "other"}
    service_refused("notes", services.create_record, None, Location,
                    {**data, "notes": "x" * (limits.TEXT_MAX_LENGTH + 1)})
    service_refused("name", services.create_record, None, Location,
                    {**data, "name": "a\u200bb"})
    assert not Location.objects.exists()


def test_choice_list_refuses_what_is_not_a_list_of_keys():
    from django.core.exceptions import ValidationError

    field = ChoiceListField(options=[("a", "A")])
    for value in (1, True, [["a"]], [{"a": 1}], "a"):
        with pytest.raises(ValidationError):
            field.validate(value, None)
    field.validate(["a"], None)


def test_an_upload_over_its_limit_is_refused_before_it_is_read(tree, unit_admin, client,
                                                               settings, tmp_path):
    """A multipart body longer than MAX_UPLOAD_BYTES is answered 413 from its declared
    length: no temporary file is written and nothing is saved."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fangfan.inspections.models import Hazard

    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    client.force_login(unit_admin)
    photo = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024),
                               content_type="image/jpeg")
    resp = client.post(reverse("records:hazards-add"), {
        "unit": tree["a"].pk, "title": "围墙破损", "severity": "general",
        "found_on": "2026-11-02", "files": photo})
    assert resp.status_code == 413
    assert "at most 1.0" in resp.content.decode()
    assert not Hazard.objects.exists() and not list(tmp_path.iterdir())
