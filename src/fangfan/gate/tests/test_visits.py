"""The visitor's path (OPS-4): appointment, host confirmation, approval of a visit to a
key location by its head only, check-in without holding the document, the watch-list
warning, check-out — and each refusal, with nothing saved."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import AuditEntry
from fangfan.gate import services as gate
from fangfan.gate.models import Visit, VisitStatus, WatchEntry
from fangfan.gate.validators import check_character, validate_identity_number, validate_plate

VALID_ID = "110101199003077571"


def _visit(actor, s, minutes=60, **extra) -> Visit:
    return services.create_record(actor, Visit, {
        "unit": s["a"], "visitor_name": "李华", "phone": "13800000001", "purpose": "送材料",
        "host": s["host"], "expected_at": timezone.now() + dt.timedelta(minutes=minutes),
        **extra})


def test_identity_checksum():
    assert check_character("11010119900307757") == "1"
    validate_identity_number(VALID_ID)
    validate_identity_number("11010519491231002x")  # the X of GB 11643's own example
    for bad, code in (("110101199003077572", "checksum"), ("11010119900230757X", "birth"),
                      ("1101011990030775", "format")):
        with pytest.raises(ValidationError) as exc:
            validate_identity_number(bad)
        assert exc.value.code == code


@pytest.mark.parametrize("plate", ["京A12345", "粤BD12345", "沪A12345F", "浙a·12345",
                                   "京A1234学"])
def test_plates_accepted(plate):
    validate_plate(plate)


@pytest.mark.parametrize("plate", ["ABC123", "京12345", "京A1234", "京AI2345", "X京A12345",
                                   "京AD1234567"])
def test_plates_refused(plate):
    with pytest.raises(ValidationError):
        validate_plate(plate)


def test_whole_path_with_approval_and_watch_list(school):
    s = school
    services.create_record(s["principal"], WatchEntry, {
        "unit": s["a"], "name": "赵某", "plate": "京B54321", "reason": "保护令",
        "until": timezone.localdate() + dt.timedelta(days=30)})
    visit = _visit(s["admin"], s, destination=s["control"], vehicle_plate="京B54321")
    assert visit.status == VisitStatus.APPOINTMENT
    with pytest.raises(PermissionDenied):
        gate.confirm(s["guard"], visit)
    with pytest.raises(ValidationError, match="host has not confirmed"):
        gate.check_in(s["guard"], visit, "id_card", True, VALID_ID)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.APPOINTMENT and visit.checked_in_at is None
    gate.confirm(s["teacher"] if _linked(s) else s["admin"], visit)
    assert visit.status == VisitStatus.CONFIRMED and visit.confirmed_at
    # A key location: no check-in before approval, approval by the head only.
    with pytest.raises(ValidationError, match="key location"):
        gate.check_in(s["guard"], visit, "id_card", True, VALID_ID)
    for someone in (s["guard"], s["teacher"], s["other_admin"]):
        with pytest.raises(PermissionDenied, match="principal"):
            gate.approve(someone, visit)
    visit.refresh_from_db()
    assert not visit.approved
    gate.approve(s["principal"], visit)
    visit.refresh_from_db()
    assert visit.approved and visit.approved_by == s["principal"]
    # The document is looked at and handed back: without that box, no check-in.
    with pytest.raises(ValidationError, match="hand it back"):
        gate.check_in(s["guard"], visit, "id_card", False, VALID_ID)
    with pytest.raises(ValidationError, match="check digit"):
        gate.check_in(s["guard"], visit, "id_card", True, "110101199003077572")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CONFIRMED
    gate.check_in(s["guard"], visit, "id_card", True, VALID_ID)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CHECKED_IN and visit.watch_match
    entry = AuditEntry.objects.filter(record_id=visit.pk,
                                      record_type="gate.visit").order_by("-seq").first()
    assert entry.after.get("watch_match") is True
    gate.check_out(s["guard"], visit)
    assert visit.status == VisitStatus.CHECKED_OUT and visit.checked_out_at


def _linked(s) -> bool:
    return getattr(s["teacher"], "person", None) is not None


def test_watch_warning_shown_not_the_reason(school, client):
    s = school
    services.create_record(s["admin"], WatchEntry, {"unit": s["a"], "name": "李华",
                                                    "reason": "曾在校门口滋事威胁教师"})
    visit = _visit(s["admin"], s)
    gate.confirm(s["admin"], visit)
    client.force_login(s["guard"])
    response = client.post(reverse("visit-check-in", args=[visit.pk]),
                           {"document_type": "passport", "document_returned": "on"},
                           follow=True)
    text = response.content.decode()
    assert "watch list" in text and "call the duty leader" in text
    assert "滋事" not in text
    assert client.get(reverse("records:watch-entries-list")).status_code == 403


def test_check_out_before_check_in_and_other_refusals(school):
    s = school
    visit = _visit(s["admin"], s)
    with pytest.raises(ValidationError, match="only after being checked in"):
        gate.check_out(s["guard"], visit)
    gate.confirm(s["admin"], visit)
    with pytest.raises(PermissionDenied):  # not the gate's people
        gate.check_in(s["principal"], visit, "id_card", True, VALID_ID)
    with pytest.raises(ValidationError, match="Which document"):
        gate.check_in(s["guard"], visit, "", True)
    with pytest.raises(ValidationError, match="Only a visit to a key location"):
        gate.approve(s["principal"], visit)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CONFIRMED and not visit.approved


def test_appointment_in_the_past_refused(school):
    with pytest.raises(ValidationError, match="passed"):
        _visit(school["admin"], school, minutes=-120)
    assert not Visit.objects.exists()


def test_a_visit_starts_as_an_appointment(school):
    with pytest.raises(ValidationError, match="starts as an appointment"):
        _visit(school["admin"], school, status="checked_in")


def test_host_own_appointment_is_confirmed(school):
    if not _linked(school):
        pytest.skip("Person.user has not landed")
    visit = _visit(school["teacher"], school)
    assert visit.status == VisitStatus.CONFIRMED and visit.confirmed_by == school["teacher"]


def test_host_of_another_unit_refused(school):
    from fangfan.resources.models import Person

    stranger = services.create_record(None, Person, {"unit": school["b"], "name": "外校"})
    with pytest.raises(ValidationError):
        _visit(school["admin"], school, host=stranger)


def test_cancel(school):
    visit = _visit(school["admin"], school)
    gate.cancel(school["admin"], visit)
    assert visit.status == VisitStatus.CANCELLED
    with pytest.raises(ValidationError):
        gate.confirm(school["admin"], visit)


def test_api_check_in_is_one_write(school, client, django_assert_max_num_queries):
    from rest_framework.test import APIClient

    s = school
    visit = _visit(s["admin"], s)
    gate.confirm(s["admin"], visit)
    api = APIClient()
    api.force_authenticate(s["guard"])
    url = f"/api/visits/{visit.pk}/"
    with django_assert_max_num_queries(30):
        r = api.patch(url, {"status": "checked_in", "document_type": "id_card",
                            "document_returned": True, "identity_number": VALID_ID},
                      format="json")
    assert r.status_code == 200, r.content
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CHECKED_IN
    r = api.patch(url, {"status": "confirmed"}, format="json")
    assert r.status_code == 400


def test_a_step_goes_back_where_it_was_asked_from_only_within_the_site(school, client):
    """The home page's buttons send `next` (the guard stays on the panel); a `next` to
    another site is ignored (no open redirect): back to the visit's page."""
    visit = _visit(school["admin"], school)
    client.force_login(school["admin"])
    url = reverse("visit-cancel", args=[visit.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == visit.get_absolute_url()
    other = _visit(school["admin"], school)
    response = client.post(reverse("visit-cancel", args=[other.pk]), {"next": "/"})
    assert response.url == "/"
    other.refresh_from_db()
    assert other.status == VisitStatus.CANCELLED


def test_the_watch_list_entry_in_force_is_the_one_that_counts(school):
    """Of the entries matching a visitor, one still in force warns, whatever the ended
    ones around it; ended ones alone do not (`watch_match` reads the one in force
    longest)."""
    from fangfan.gate.services import watch_match

    s = school
    today = timezone.localdate()
    visit = Visit(unit=s["a"], visitor_name="钱某", vehicle_plate="京C11111")
    assert not watch_match(visit)
    for days in (-400, -1):
        WatchEntry.objects.create(unit=s["a"], unit_path=s["a"].path, name="钱某",
                                  reason="旧事", until=today + dt.timedelta(days=days))
    assert not watch_match(visit)
    WatchEntry.objects.create(unit=s["a"], unit_path=s["a"].path, name="别人",
                              plate="京C11111", reason="车辆", until=today)
    assert watch_match(visit)
    WatchEntry.objects.filter(plate="京C11111").update(until=None)
    assert watch_match(visit)
    WatchEntry.objects.filter(plate="京C11111").update(unit=s["b"], unit_path=s["b"].path)
    assert not watch_match(visit)
