"""The self-service link (write only), pick-ups, vehicles, passes and closed management."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.gate import services as gate
from fangfan.gate.facts import _gate
from fangfan.gate.models import (
    GatePass,
    Pickup,
    PickupAuthorisation,
    Vehicle,
    VehicleEntry,
    Visit,
    VisitorLink,
    VisitStatus,
)
from fangfan.resources.models import Asset
from fangfan.standards.facts import FAMILIES, _run


@pytest.fixture
def link(school):
    cache.clear()
    return services.create_record(school["admin"], VisitorLink, {
        "unit": school["a"], "name": "学校网站", "host": school["host"]})


def _form(**extra) -> dict:
    when = timezone.localtime() + dt.timedelta(days=1)
    return {"visitor_name": "周志明", "phone": "13812340001", "company": "区教研室",
            "whom": "黄老师", "purpose": "听课", "expected_at": f"{when:%Y-%m-%dT%H:%M}",
            "vehicle_plate": "", "agree": "on", **extra}


def test_link_creates_a_pending_appointment_and_echoes_nothing(school, link, client):
    other = services.create_record(school["admin"], Visit, {
        "unit": school["a"], "visitor_name": "秘密访客", "phone": "13900000009",
        "purpose": "面谈", "host": school["host"],
        "expected_at": timezone.now() + dt.timedelta(hours=3)})
    url = reverse("visitor-request", args=[link.token])
    page = client.get(url).content.decode()
    assert "privacy-notice" in page and "180" in page
    assert "秘密访客" not in page and "黄益芬" not in page
    response = client.post(url, _form())
    assert response.status_code == 200
    text = response.content.decode()
    assert "request-sent" in text and "周志明" not in text and "秘密访客" not in text
    visit = Visit.objects.exclude(pk=other.pk).get()
    assert visit.status == VisitStatus.APPOINTMENT and visit.via_link
    assert visit.host == school["host"] and "黄老师" in visit.purpose


def test_link_refuses_bad_input_and_saves_nothing(school, link, client):
    url = reverse("visitor-request", args=[link.token])
    past = timezone.localtime() - dt.timedelta(days=1)
    for bad in ({"expected_at": f"{past:%Y-%m-%dT%H:%M}"}, {"phone": "123"},
                {"vehicle_plate": "ABC123"}, {"agree": ""}):
        response = client.post(url, _form(**bad))
        assert response.status_code == 400
    assert not Visit.objects.exists()


def test_link_cannot_read_anything(school, link, client):
    url = reverse("visitor-request", args=[link.token])
    assert client.get(url + "?id=1").status_code == 200
    assert client.get(reverse("records:visits-list")).status_code == 302  # to log in
    assert client.get("/api/visits/").status_code in (401, 403)
    assert client.get(reverse("visitor-request", args=["guessed-token"])).status_code == 404
    services.update_record(school["admin"], link, {"active": False})
    assert client.get(url).status_code == 404
    assert client.post(url, _form()).status_code == 404
    assert not Visit.objects.exists()


def test_link_is_throttled(school, link, client, settings):
    from fangfan.gate import views

    url = reverse("visitor-request", args=[link.token])
    for _ in range(views.PER_ADDRESS):
        client.post(url, _form(phone="1"))  # refused, but counted
    assert client.post(url, _form()).status_code == 429
    assert not Visit.objects.exists()


def test_pickup_by_unauthorised_adult_refused_unless_teacher_confirms(school):
    a, guard = school["a"], school["guard"]
    auth = services.create_record(school["admin"], PickupAuthorisation, {
        "unit": a, "child_name": "刘小雨", "class_name": "一年级2班", "adult_name": "刘建国",
        "adult_phone": "13900000002", "relation": "祖父",
        "valid_until": timezone.localdate() + dt.timedelta(days=30)})
    data = {"unit": a, "child_name": "刘小雨", "class_name": "一年级2班"}
    done = services.create_record(guard, Pickup, {**data, "adult_name": "刘建国"})
    assert done.authorisation == auth
    with pytest.raises(ValidationError, match="not authorised"):
        services.create_record(guard, Pickup, {**data, "adult_name": "陌生人"})
    assert Pickup.objects.count() == 1
    confirmed = services.create_record(guard, Pickup, {**data, "adult_name": "陌生人",
                                                       "teacher_confirmed": True})
    assert confirmed.authorisation is None
    services.update_record(school["admin"], auth, {
        "valid_until": timezone.localdate() - dt.timedelta(days=1)})
    with pytest.raises(ValidationError, match="not authorised"):
        services.create_record(guard, Pickup, {**data, "adult_name": "刘建国"})


def test_plates_on_vehicles_and_entries(school):
    a, admin = school["a"], school["admin"]
    with pytest.raises(ValidationError, match="not a Chinese plate"):
        services.create_record(admin, Vehicle, {"unit": a, "plate": "AB-1234",
                                                "owner_name": "王"})
    services.create_record(admin, Vehicle, {"unit": a, "plate": "京a·12345",
                                            "owner_name": "王"})
    assert Vehicle.objects.get().plate == "京A12345"
    entry = services.create_record(school["guard"], VehicleEntry, {"unit": a,
                                                                   "plate": "京A12345"})
    assert entry.registered
    services.create_record(admin, Vehicle, {"unit": a, "plate": "京B12345",
                                            "owner_name": "李", "allowed": False})
    with pytest.raises(ValidationError, match="not allowed"):
        services.create_record(school["guard"], VehicleEntry, {"unit": a, "plate": "京B12345"})
    with pytest.raises(ValidationError, match="leaves after"):
        services.update_record(school["guard"], entry, {
            "left_at": entry.entered_at - dt.timedelta(hours=1)})


def test_pass_dates_and_print(school, client):
    a, admin = school["a"], school["admin"]
    with pytest.raises(ValidationError, match="ends after it starts"):
        services.create_record(admin, GatePass, {
            "unit": a, "kind": "staff", "holder_name": "陈", "valid_from": dt.date(2026, 9, 2),
            "valid_until": dt.date(2026, 9, 1), "areas": "食堂"})
    p = services.create_record(admin, GatePass, {
        "unit": a, "kind": "contractor", "holder_name": "陈国庆", "company": "城建",
        "valid_from": dt.date(2026, 9, 1), "valid_until": dt.date(2026, 12, 1),
        "areas": "工地"})
    client.force_login(school["guard"])
    html = client.get(reverse("gate-pass-print", args=[p.pk])).content.decode()
    assert "陈**" in html and "陈国庆" not in html and "@page" in html
    client.force_login(school["other_admin"])
    assert client.get(reverse("gate-pass-print", args=[p.pk])).status_code == 404


def _closed(school) -> bool | None:
    rows = _run(FAMILIES["gate"], Q(unit_path__startswith=school["a"].path))
    return rows.get(school["a"].path, {}).get("closed_management")


def test_closed_management(school):
    a, admin = school["a"], school["admin"]
    assert _closed(school) is False  # a main gate, but no records nor barriers
    for cat in ("vehicle_barrier", "wall_fence"):
        services.create_record(admin, Asset, {"unit": a, "category": cat,
                                              "location": school["gate"]})
    assert _closed(school) is False  # no visitor or vehicle registered at the gate
    services.create_record(school["guard"], VehicleEntry, {"unit": a, "plate": "京A12345"})
    assert _closed(school) is True
    assert _closed({"a": school["b"]}) is None  # no locations: unknown
    assert _gate  # the family's query


def test_visitor_pass_only_while_inside(school, client):
    visit = services.create_record(school["admin"], Visit, {
        "unit": school["a"], "visitor_name": "李华", "phone": "13800000001",
        "purpose": "送材料", "host": school["host"],
        "expected_at": timezone.now() + dt.timedelta(minutes=5)})
    client.force_login(school["guard"])
    assert client.get(reverse("visit-pass", args=[visit.pk])).status_code == 404
    gate.confirm(school["admin"], visit)
    gate.check_in(school["guard"], visit, "passport", True)
    html = client.get(reverse("visit-pass", args=[visit.pk])).content.decode()
    assert "李*" in html and "李华" not in html
