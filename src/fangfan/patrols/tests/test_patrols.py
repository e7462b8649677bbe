"""Patrols (OPS-2), service level and pages: routes and their times, checkpoint codes and
the QR sheet, starting a round, scanning and its refusals, the worker's missed and late
count with a frozen clock, and the home page's work and panel."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangfan.core import services
from fangfan.core.models import Notification
from fangfan.patrols import services as patrols
from fangfan.patrols.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    PatrolRound,
    PatrolRoute,
    PatrolScan,
    RoundStatus,
)
from fangfan.patrols.tests.conftest import MONDAY, at


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_route_times_are_read_sorted_and_refused_when_unreadable_or_too_close(patrol):
    assert patrol["route"].times == "08:00, 14:00"
    with pytest.raises(ValidationError, match="is not a time of day"):
        services.create_record(patrol["admin"], PatrolRoute, {
            "unit": patrol["a"], "name": "x", "times": "8点, 25:00"})
    with pytest.raises(ValidationError, match="at least twice the tolerance apart"):
        services.create_record(patrol["admin"], PatrolRoute, {
            "unit": patrol["a"], "name": "y", "times": "08:00, 08:45",
            "tolerance_minutes": 30})
    assert not PatrolRoute.objects.filter(name__in=["x", "y"]).exists()


def test_checkpoint_codes_are_random_and_typeable(patrol):
    codes = {p.tag for p in patrol["points"]} | {patrol["b_point"].tag}
    assert len(codes) == 4
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)


def test_qr_sheet_has_a_card_per_checkpoint_for_the_admin_only(patrol, client):
    client.force_login(patrol["admin"])
    response = client.get(reverse("patrol-qr", args=[patrol["route"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="qr-card"') == 3 and html.count('<div class="qr-code"><svg') == 3
    assert patrol["points"][0].code_display in html and "配电房" in html
    client.force_login(patrol["guard"])
    assert client.get(reverse("patrol-qr", args=[patrol["route"].pk])).status_code == 403
    client.force_login(patrol["other_admin"])
    assert client.get(reverse("patrol-qr", args=[patrol["route"].pk])).status_code == 404


def test_a_round_starts_only_in_its_window(patrol, clock):
    clock.set(at(7, 0))
    with pytest.raises(ValidationError) as exc:
        patrols.start(patrol["guard"], patrol["route"])
    assert "the next is at 08:00, and can be started from 07:30" in _messages(exc.value)
    clock.set(at(7, 40))
    rnd = patrols.start(patrol["guard"], patrol["route"])
    assert rnd.due_at == at(8, 0) and rnd.status == RoundStatus.WALKING
    assert rnd.started_by == patrol["person"] and rnd.started_at == at(7, 40)
    # A second guard joins the same round.
    assert patrols.start(patrol["admin"], patrol["route"]).pk == rnd.pk


def _round(patrol, clock, when=None) -> PatrolRound:
    clock.set(when or at(7, 55))
    return patrols.start(patrol["guard"], patrol["route"])


def test_scans_record_time_person_note_and_finish_the_round(patrol, clock):
    rnd = _round(patrol, clock)
    first, second, third = patrol["points"]
    clock.set(at(8, 2))
    scan = patrols.scan(patrol["guard"], rnd, first.code_display.lower(), "门已锁好")
    assert (scan.scanned_at, scan.person, scan.note, scan.late, scan.by) == (
        at(8, 2), patrol["person"], "门已锁好", False, patrol["guard"])
    clock.set(at(8, 40))
    assert patrols.scan(patrol["guard"], rnd, second.tag).late
    clock.set(at(8, 45))
    patrols.scan(patrol["guard"], rnd, third.tag)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.FINISHED and rnd.finished_at == at(8, 45)


@pytest.mark.parametrize("case, expected", [
    ("other_unit", "This checkpoint belongs to another unit."),
    ("other_route", "is on the route “夜间巡查”, not on “白天巡查”"),
    ("unknown", "No checkpoint has this code"),
    ("twice_at_once", "Already scanned a moment ago"),
    ("twice", "already scanned in this round at 08:01"),
    ("finished", "This round has ended"),
    ("ended", "This round has ended"),
])
def test_scan_refusals(patrol, clock, case, expected):
    rnd = _round(patrol, clock)
    point = patrol["points"][0]
    code = {"other_unit": patrol["b_point"].tag, "other_route": patrol["other_point"].tag,
            "unknown": "ABCDEFGHJK"}.get(case, point.tag)
    if case.startswith("twice"):
        clock.set(at(8, 1))
        patrols.scan(patrol["guard"], rnd, point.tag)
        clock.set(at(8, 1) + dt.timedelta(seconds=30) if case == "twice_at_once" else at(8, 10))
    if case == "finished":
        patrols.finish(patrol["guard"], rnd)
    if case == "ended":
        clock.set(at(9, 1))
    before = PatrolScan.objects.count()
    with pytest.raises(ValidationError) as exc:
        patrols.scan(patrol["guard"], rnd, code)
    assert expected in _messages(exc.value)
    assert PatrolScan.objects.count() == before


def test_a_new_scan_looks_up_its_round_and_checkpoint_once(patrol, clock):
    """clean() finds the earlier scan (its refusal says when); the model's unique
    constraint is not asked again inside the write (issue 10's scan benchmark)."""
    rnd = _round(patrol, clock)
    clock.set(at(8, 2))
    with CaptureQueriesContext(connection) as ctx:
        patrols.scan(patrol["guard"], rnd, patrol["points"][0].tag)
    lookups = [q["sql"] for q in ctx.captured_queries
               if q["sql"].startswith("SELECT") and 'FROM "patrols_patrolscan" WHERE' in q["sql"]
               and '"patrols_patrolscan"."checkpoint_id" =' in q["sql"]]
    assert len(lookups) == 1, lookups


def test_the_same_refusals_hold_through_the_services_directly(patrol, clock):
    """A scan written through the generic services (API, import) is refused alike."""
    rnd = _round(patrol, clock)
    with pytest.raises(ValidationError, match="belongs to another unit"):
        services.create_record(patrol["guard"], PatrolScan, {
            "unit": patrol["a"], "round": rnd, "checkpoint": patrol["b_point"]})
    with pytest.raises(ValidationError, match="not on “白天巡查”"):
        services.create_record(patrol["guard"], PatrolScan, {
            "unit": patrol["a"], "round": rnd, "checkpoint": patrol["other_point"]})


def test_worker_counts_missed_and_late_once_with_a_frozen_clock(patrol, clock):
    rnd = _round(patrol, clock)
    clock.set(at(8, 5))
    patrols.scan(patrol["guard"], rnd, patrol["points"][0].tag)
    clock.set(at(8, 50))
    patrols.scan(patrol["guard"], rnd, patrol["points"][1].tag)
    # Still in its window (it ends at 09:00 itself): not counted; the earlier days'
    # rounds nobody walked are.
    for now in (at(8, 50), at(9, 0)):
        clock.set(now)
        patrols.check_rounds()
        rnd.refresh_from_db()
        assert rnd.checked_at is None and rnd.status == RoundStatus.WALKING
    assert not PatrolRound.objects.filter(due_at=at(14, 0)).exists()
    clock.set(at(9, 5))
    assert patrols.check_rounds() == 2  # this one, and school b's 08:00 nobody walked
    rnd.refresh_from_db()
    assert (rnd.missed, rnd.late, rnd.status, rnd.checked_at) == (
        1, 1, RoundStatus.FINISHED, at(9, 5))
    told = Notification.objects.filter(link=rnd.get_absolute_url())
    assert list(told.values_list("user__username", flat=True)) == ["unit_admin-school-a"]
    assert "1 checkpoint missed" in told.get().title
    # Idempotent: counted once, told once.
    clock.set(at(9, 10))
    assert patrols.check_rounds() == 0
    assert told.count() == 1


def test_worker_makes_the_rounds_nobody_started_and_counts_them_missed(patrol, clock):
    clock.set(at(15, 5))
    assert patrols.check_rounds() >= 2
    rounds = {timezone_hm(r.due_at): r for r in PatrolRound.objects.filter(
        route=patrol["route"], due_at__date__gte=MONDAY - dt.timedelta(days=1))}
    today = rounds[(MONDAY, "08:00")], rounds[(MONDAY, "14:00")]
    assert all(r.missed == 3 and r.status == RoundStatus.FINISHED for r in today)
    # Not before the route was set up (three days ago at 06:00), not for the future.
    assert not PatrolRound.objects.filter(due_at__gt=at(15, 5)).exists()
    assert not PatrolRound.objects.filter(route=patrol["route"],
                                          due_at__lt=at(6, 0, MONDAY - dt.timedelta(days=3))
                                          ).exists()
    made = PatrolRound.objects.filter(route=patrol["route"]).count()
    assert patrols.check_rounds() == 0
    assert PatrolRound.objects.filter(route=patrol["route"]).count() == made


def timezone_hm(value: dt.datetime) -> tuple[dt.date, str]:
    from django.utils import timezone

    local = timezone.localtime(value)
    return local.date(), f"{local:%H:%M}"


def test_phone_page_types_a_code_and_says_refusals(patrol, clock, client):
    rnd = _round(patrol, clock)
    client.force_login(patrol["guard"])
    url = reverse("patrol-round", args=[rnd.pk])
    response = client.post(url, {"code": patrol["points"][0].tag, "note": "正常"})
    assert response.status_code == 302
    response = client.post(url, {"code": patrol["b_point"].tag})
    assert response.status_code == 400
    assert "This checkpoint belongs to another unit." in response.content.decode()
    page = client.get(url).content.decode()
    assert page.count('data-scanned="1"') == 1 and page.count('data-scanned="0"') == 2
    # The code is not shown on the guard's pages.
    assert patrol["points"][1].tag not in page


def test_qr_link_opens_the_round_with_the_code(patrol, clock, client):
    clock.set(at(7, 50))
    client.force_login(patrol["guard"])
    point = patrol["points"][1]
    response = client.get(reverse("patrol-checkpoint", args=[point.tag]))
    rnd = PatrolRound.objects.get(route=patrol["route"], due_at=at(8, 0))
    assert response.status_code == 302 and response.url.startswith(
        reverse("patrol-round", args=[rnd.pk]))
    assert point.tag in response.url
    other = client.get(reverse("patrol-checkpoint", args=[patrol["b_point"].tag]))
    assert other.status_code == 302 and other.url == reverse("patrol-home")


def test_home_shows_the_next_patrol_and_the_follow_up(patrol, clock, client):
    clock.set(at(7, 45))
    client.force_login(patrol["guard"])
    page = client.get("/").content.decode()
    assert 'data-testid="panel-start-patrol"' in page and "白天巡查" in page
    clock.set(at(9, 5))
    patrols.check_rounds()
    client.force_login(patrol["admin"])
    page = client.get("/").content.decode()
    assert "Patrol 白天巡查 at 11-23 08:00: 3 checkpoints missed" in page
    rnd = PatrolRound.objects.get(route=patrol["route"], due_at=at(8, 0))
    follow_up = f'href="{reverse("records:patrol-rounds-edit", args=[rnd.pk])}"'
    assert follow_up in page
    services.update_record(patrol["admin"], rnd, {"review": "保安临时处理家长纠纷，已提醒"})
    rnd.refresh_from_db()
    assert rnd.reviewed_by == patrol["admin"]
    assert follow_up not in client.get("/").content.decode()


def test_the_patrol_page_lists_the_routes_and_starts_the_one_due(patrol, clock, client):
    """`/patrol/` (the guard's whole shift on a phone starts its patrol from the home
    page's panel instead: duty/tests/test_browser_shift.py): the round due now first,
    with its "Start patrol", which opens the round; a route not due shows its next time."""
    clock.set(at(7, 45))
    client.force_login(patrol["guard"])
    page = client.get(reverse("patrol-home")).content.decode()
    assert page.count('data-testid="patrol-route"') == 2
    assert page.index("白天巡查") < page.index("夜间巡查")
    assert page.count('data-testid="start-patrol"') == 1 and "next round" in page
    response = client.post(reverse("patrol-start", args=[patrol["route"].pk]))
    rnd = PatrolRound.objects.get(route=patrol["route"], due_at=at(8, 0))
    assert response.status_code == 302 and response.url == reverse("patrol-round",
                                                                    args=[rnd.pk])
    assert "Continue patrol" in client.get(reverse("patrol-home")).content.decode()


def test_scans_through_the_api_start_and_finish_the_round_as_the_phone_page_does(
        patrol, clock, api_client):
    """The round follows its scans however they come: the first through the API starts
    it (the guard's person named, as on the phone page), the last finishes it."""
    clock.set(at(7, 50))
    rnd = services.create_record(None, PatrolRound, {
        "unit": patrol["a"], "route": patrol["route"], "due_at": at(8, 0)})
    api_client.force_authenticate(patrol["guard"])
    for minute, point in zip((2, 5, 9), patrol["points"], strict=True):
        clock.set(at(8, minute))
        resp = api_client.post("/api/patrol-scans/", {
            "unit": "school-a", "round": rnd.pk, "checkpoint": point.pk,
            "scanned_at": at(8, minute).isoformat()}, format="json")
        assert resp.status_code == 201, resp.json()
        rnd.refresh_from_db()
        if minute == 2:
            assert (rnd.status, rnd.started_at, rnd.started_by) == (
                RoundStatus.WALKING, at(8, 2), patrol["person"])
    assert (rnd.status, rnd.finished_at) == (RoundStatus.FINISHED, at(8, 9))
    assert PatrolScan.objects.get(checkpoint=patrol["points"][0]).person == patrol["person"]
