"""护学岗 (OPS-6): defined above the school, signed in by the school in one tap, counted
by the hu_xue_gang_posts fact, missing sign-ins as work."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.helpers import refused
from fangfan.core.work import WorkContext
from fangfan.duty import work
from fangfan.duty.models import SchoolGuardPost, SchoolGuardSignIn
from fangfan.standards import facts

TODAY = timezone.localdate


def data(unit, **extra) -> dict:
    return {"unit": unit.code, "place": "南校门外人行横道", "duty": "疏导交通",
            "officer_name": "陈警官", "officer_phone": "13800001234",
            "active_from": (TODAY() - dt.timedelta(days=30)).isoformat(), **extra}


def make_post(unit, **extra) -> SchoolGuardPost:
    return services.create_record(None, SchoolGuardPost, {
        "unit": unit, "place": "南校门外人行横道", "duty": "疏导交通", "officer_name": "陈警官",
        "active_from": TODAY() - dt.timedelta(days=30), **extra})


def sign(post, day, session="arrival") -> SchoolGuardSignIn:
    return services.create_record(None, SchoolGuardSignIn, {
        "unit": post.unit, "post": post, "date": day, "session": session,
        "signed_at": min(timezone.now(), timezone.make_aware(
            dt.datetime.combine(day, dt.time(7, 30))))})


@pytest.mark.parametrize("role", [Role.UNIT_ADMIN, Role.PRINCIPAL, Role.GUARD])
def test_the_school_cannot_create_its_post(role, tree, make_user, api_client):
    api_client.force_authenticate(make_user(role, tree["a"]))
    assert api_client.post("/api/school-guard-posts/", data(tree["a"]),
                           format="json").status_code == 403
    assert not SchoolGuardPost.objects.exists()


def test_the_authority_creates_it_and_the_school_cannot_change_it(tree, make_user,
                                                                  api_client):
    api_client.force_authenticate(make_user(Role.SUPERVISOR, tree["district"]))
    resp = api_client.post("/api/school-guard-posts/", data(tree["a"]), format="json")
    assert resp.status_code == 201, resp.data
    post = SchoolGuardPost.objects.get()
    # A supervisor granted on the school itself does not decide its post either.
    api_client.force_authenticate(make_user(Role.SUPERVISOR, tree["a"]))
    resp = api_client.patch(f"/api/school-guard-posts/{post.pk}/", {"place": "北门"},
                            format="json")
    assert resp.status_code == 400
    api_client.force_authenticate(make_user(Role.UNIT_ADMIN, tree["a"], username="ua"))
    assert api_client.patch(f"/api/school-guard-posts/{post.pk}/", {"notes": "x"},
                            format="json").status_code == 403
    post.refresh_from_db()
    assert post.place == "南校门外人行横道"


def test_refusals(tree):
    refused("arrival_until", make_post, tree["a"], arrival_from=dt.time(8),
            arrival_until=dt.time(7))
    refused("active_until", make_post, tree["a"], active_until=TODAY() - dt.timedelta(
        days=31))
    post = make_post(tree["a"])
    sign(post, TODAY())
    assert "already signed in" in refused("session", sign, post, TODAY())
    refused("date", sign, post, TODAY() + dt.timedelta(days=1))
    refused("date", sign, post, TODAY() - dt.timedelta(days=31))  # before it was in service


def test_one_tap_sign_in_by_the_schools_guard(tree, make_user, client):
    post = make_post(tree["a"], arrival_from=dt.time(0), arrival_until=dt.time(0, 1),
                     dismissal_from=dt.time(0, 2), dismissal_until=dt.time(23, 58))
    guard = make_user(Role.GUARD, tree["a"])
    client.force_login(guard)
    resp = client.post(reverse("duty-sign-in", args=[post.pk]), {"next": "/"})
    assert resp.status_code == 302
    signed = SchoolGuardSignIn.objects.get()
    assert (signed.by, signed.session, signed.date) == (guard, "dismissal", TODAY())
    client.post(reverse("duty-sign-in", args=[post.pk]))  # twice: refused, one kept
    assert SchoolGuardSignIn.objects.count() == 1
    client.force_login(make_user(Role.GUARD, tree["b"], username="other"))
    assert client.post(reverse("duty-sign-in", args=[post.pk])).status_code == 404


def test_hu_xue_gang_posts_fact(tree):
    def value(unit):
        return facts.compute_unit(unit.path).get(unit.path, {}).get("hu_xue_gang_posts")

    assert value(tree["a"]) is None
    post = make_post(tree["a"])
    assert value(tree["a"]) == 0  # in service but never signed in
    sign(post, TODAY() - dt.timedelta(days=15))
    assert value(tree["a"]) == 0  # not in the last 14 days
    sign(post, TODAY() - dt.timedelta(days=3))
    assert value(tree["a"]) == 1
    services.update_record(None, post, {"active_until": TODAY() - dt.timedelta(days=1)})
    assert value(tree["a"]) == 0


def test_missing_sign_in_is_work(tree, make_user, monkeypatch):
    post = make_post(tree["a"], arrival_from=dt.time(0), arrival_until=dt.time(0, 1),
                     dismissal_from=dt.time(23, 58), dismissal_until=dt.time(23, 59))
    user = make_user(Role.GUARD, tree["a"])
    now = timezone.make_aware(dt.datetime.combine(TODAY(), dt.time(12)))
    ctx = WorkContext(user, [tree["a"].path], now=now)
    monkeypatch.setattr(work, "_school_day", lambda day: True)
    items = list(work.missing_sign_ins(ctx))
    assert [i.title for i in items] == [
        "No sign-in at the school-guard post 南校门外人行横道: Arrival"]
    sign(post, TODAY())
    assert list(work.missing_sign_ins(ctx)) == []
    monkeypatch.undo()
    saturday = TODAY() + dt.timedelta(days=(5 - TODAY().weekday()) % 7)
    assert not work._school_day(saturday) and work._school_day(
        saturday + dt.timedelta(days=2))
