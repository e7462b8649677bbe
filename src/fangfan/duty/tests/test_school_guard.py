"""护学岗 (OPS-6): defined above the school, signed in by the school in one tap, counted
by the hu_xue_gang_posts fact, missing sign-ins as work."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.helpers import refused
from fangfan.core.work import WorkContext
from fangfan.duty import work
from fangfan.duty.models import SchoolGuardPost, SchoolGuardSignIn
from fangfan.standards import facts
from fangfan.standards.models import CalendarDay, SchoolTerm

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
    assert value(tree["a"]) == 0  # without terms, 10 school days are Monday to Friday
    sign(post, TODAY() - dt.timedelta(days=3))
    assert value(tree["a"]) == 1
    services.update_record(None, post, {"active_until": TODAY() - dt.timedelta(days=1)})
    assert value(tree["a"]) == 0


# The terms of 2026–2027 (from Tue 1 Sep 2026 to 23 Jan 2027, from 22 Feb 2027), 国庆
# 1–7 October, and Saturday 10 October worked in its place (调休): fixed dates, whatever
# today is.
TERMS = ((dt.date(2026, 9, 1), dt.date(2027, 1, 23)), (dt.date(2027, 2, 22),
                                                       dt.date(2027, 7, 2)))
WEDNESDAY, NATIONAL_DAY, MAKE_UP_SATURDAY = (dt.date(2026, 9, 30), dt.date(2026, 10, 1),
                                             dt.date(2026, 10, 10))


def _calendar(city) -> None:
    for number, (start, end) in enumerate(TERMS, 1):
        services.create_record(None, SchoolTerm, {"unit": city, "school_year": 2026,
                                                  "number": number, "starts_on": start,
                                                  "ends_on": end})
    for i in range(7):
        services.create_record(None, CalendarDay, {
            "unit": city, "date": NATIONAL_DAY + dt.timedelta(days=i), "kind": "holiday",
            "name": "国庆节"})
    services.create_record(None, CalendarDay, {"unit": city, "date": MAKE_UP_SATURDAY,
                                               "kind": "school_day", "name": "国庆节调休"})


def _missing(user, unit, day: dt.date) -> list[str]:
    ctx = WorkContext(user, [unit.path], today=day, now=timezone.make_aware(
        dt.datetime.combine(day, dt.time(12))))
    return [i.title for i in work.missing_sign_ins(ctx)]


def test_missing_sign_in_is_work_on_school_days(tree, make_user):
    post = make_post(tree["a"], active_from=dt.date(2026, 9, 1),
                     arrival_from=dt.time(0), arrival_until=dt.time(0, 1),
                     dismissal_from=dt.time(23, 58), dismissal_until=dt.time(23, 59))
    user = make_user(Role.GUARD, tree["a"])
    missing = ["No sign-in at the school-guard post 南校门外人行横道: Arrival"]
    # Without terms or calendar days recorded: Monday to Friday.
    assert _missing(user, tree["a"], NATIONAL_DAY) == missing
    assert _missing(user, tree["a"], MAKE_UP_SATURDAY) == []
    _calendar(tree["city"])  # the city's calendar, inherited by the school
    assert _missing(user, tree["a"], WEDNESDAY) == missing
    assert _missing(user, tree["a"], NATIONAL_DAY) == []  # a holiday
    assert _missing(user, tree["a"], MAKE_UP_SATURDAY) == missing  # worked in its place
    assert _missing(user, tree["a"], dt.date(2027, 1, 27)) == []  # winter holidays
    sign(post, WEDNESDAY)
    assert _missing(user, tree["a"], WEDNESDAY) == []


def test_the_sign_in_panel_waits_for_a_school_day(tree, make_user, client, monkeypatch):
    make_post(tree["a"], active_from=dt.date(2026, 9, 1))
    _calendar(tree["city"])
    client.force_login(make_user(Role.GUARD, tree["a"]))
    for day, shown in ((WEDNESDAY, True), (NATIONAL_DAY, False), (MAKE_UP_SATURDAY, True)):
        morning = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 30)))
        monkeypatch.setattr(timezone, "now", lambda at=morning: at)
        page = client.get("/").content.decode()
        assert ('data-testid="sign-in-panel"' in page) is shown, day


def _on(monkeypatch, day: dt.date) -> None:
    """Today is `day` (noon), for the records written and the facts read."""
    real = timezone.localdate
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    monkeypatch.setattr(timezone, "localdate",
                        lambda value=None, tz=None: day if value is None else real(value, tz))
    monkeypatch.setattr(timezone, "now", lambda: noon)


def test_the_post_counts_over_the_last_10_school_days_across_a_holiday(tree, monkeypatch):
    """国庆 (1–7 October) and its make-up Saturday (10 October): a sign-in on Wednesday
    30 September still counts on Monday 19 October (its 10th-last school day), no longer
    on Tuesday 20 October; 14 calendar days would have dropped it on the 15th."""
    def value(unit):
        return facts.compute_unit(unit.path).get(unit.path, {}).get("hu_xue_gang_posts")

    _calendar(tree["city"])
    _on(monkeypatch, WEDNESDAY)
    sign(make_post(tree["a"], active_from=dt.date(2026, 9, 1)), WEDNESDAY)
    for day, posts in ((dt.date(2026, 10, 16), 1), (dt.date(2026, 10, 19), 1),
                       (dt.date(2026, 10, 20), 0)):
        _on(monkeypatch, day)
        assert value(tree["a"]) == posts, day


def test_the_summer_holidays_keep_the_post_set_up(tree, monkeypatch):
    """Signed in on the last day of the spring term (Friday 3 July 2026): it counts all
    summer and on the first day of the autumn term, until ten school days of the new
    term have gone without a sign-in."""
    def value(unit):
        return facts.compute_unit(unit.path).get(unit.path, {}).get("hu_xue_gang_posts")

    _calendar(tree["city"])
    services.create_record(None, SchoolTerm, {
        "unit": tree["city"], "school_year": 2025, "number": 2,
        "starts_on": dt.date(2026, 2, 23), "ends_on": dt.date(2026, 7, 3)})
    last_day = dt.date(2026, 7, 3)
    _on(monkeypatch, last_day)
    sign(make_post(tree["a"], active_from=dt.date(2026, 3, 1)), last_day)
    for day, posts in ((dt.date(2026, 8, 20), 1), (dt.date(2026, 9, 1), 1),
                       (dt.date(2026, 9, 11), 1), (dt.date(2026, 9, 14), 0)):
        _on(monkeypatch, day)
        assert value(tree["a"]) == posts, day


def test_the_fact_costs_the_same_queries_for_a_subtree(tree, monkeypatch,
                                                      django_assert_max_num_queries):
    """Two schools, each with a post signed in: the family's declared queries, and the
    terms read once, whatever the number of units."""
    _calendar(tree["city"])
    _on(monkeypatch, WEDNESDAY)
    for unit in (tree["a"], tree["b"]):
        sign(make_post(unit, active_from=dt.date(2026, 9, 1)), WEDNESDAY)
    make_post(tree["b"], active_from=dt.date(2026, 9, 1), place="北门")  # never signed in
    _on(monkeypatch, dt.date(2026, 10, 9))
    family = facts.FAMILIES["school_guard_posts"]
    with django_assert_max_num_queries(family.queries + 1):
        values = facts.compute(Q(unit_path__startswith=tree["city"].path),
                               {"hu_xue_gang_posts"})
    assert values[tree["a"].path] == {"hu_xue_gang_posts": 1}
    assert values[tree["b"].path] == {"hu_xue_gang_posts": 1}
