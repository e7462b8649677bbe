"""Planned drills (EMG-3, issue 11 "yearly placeholders"): planned for the school year,
recorded as held in one step, on the home page when due within the week or overdue, and
on the obligation calendar's page beside the obligations with the plans' revision dates.
Only held drills count for R-DRILL."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.work import WorkContext, items_for
from fangfan.emergency import services as emg
from fangfan.emergency.models import Drill, EmergencyPlan, PlannedDrill
from fangfan.emergency.tests.test_services import FULL
from fangfan.standards import calendar
from fangfan.standards.models import Obligation, Requirement

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture
def people(tree, make_user):
    a = tree["a"]
    return {"admin": make_user(Role.UNIT_ADMIN, a), "principal": make_user(Role.PRINCIPAL, a),
            "staff": make_user(Role.STAFF, a), "other": make_user(Role.UNIT_ADMIN, tree["b"])}


@pytest.fixture
def plan(tree, people) -> EmergencyPlan:
    p = services.create_record(people["admin"], EmergencyPlan, {"unit": tree["a"], **FULL})
    emg.approve(people["principal"], p, on=TODAY - 3 * DAY)
    p.refresh_from_db()
    return p


def _planned(actor, unit, days: int, **extra) -> PlannedDrill:
    return services.create_record(actor, PlannedDrill, {
        "unit": unit, "planned_on": TODAY + days * DAY, "scenario": "knife_attack",
        "counter_terrorism": True, **extra})


def _work(user, unit) -> dict[str, tuple[str, str]]:
    ctx = WorkContext(user=user, paths=[unit.path])
    return {i.title: (i.action, i.url) for items in items_for(ctx).values() for i in items}


def test_recording_a_planned_drill_as_held_links_it_once(tree, people, plan):
    planned = _planned(people["admin"], tree["a"], -2, plan=plan)
    assert planned.held_drill is None
    drill = services.create_record(people["admin"], Drill, {
        "unit": tree["a"], "planned": planned, "held_on": TODAY - DAY,
        "scenario": "knife_attack", "counter_terrorism": True, "participants": 640})
    planned.refresh_from_db()
    assert planned.held_drill == drill
    with pytest.raises(ValidationError, match="already recorded as held"):
        services.create_record(people["admin"], Drill, {
            "unit": tree["a"], "planned": planned, "held_on": TODAY, "scenario": "arson"})
    theirs = _planned(people["other"], tree["b"], 5)
    with pytest.raises(ValidationError, match="planned drill belongs to another unit"):
        services.create_record(people["admin"], Drill, {
            "unit": tree["a"], "planned": theirs, "held_on": TODAY, "scenario": "arson"})
    other_plan = services.create_record(None, EmergencyPlan, {"unit": tree["b"], **FULL})
    with pytest.raises(ValidationError, match="plan belongs to another unit"):
        _planned(people["other"], tree["b"], 5, plan=plan)
    assert _planned(people["other"], tree["b"], 6, plan=other_plan).plan == other_plan


def test_only_held_drills_count_for_r_drill(tree, people):
    req = Requirement.objects.get(ref="R-DRILL")
    ob = Obligation.objects.create(unit=tree["a"], unit_path=tree["a"].path, requirement=req,
                                   period_start=TODAY - 60 * DAY, period_end=TODAY + 60 * DAY,
                                   due_on=TODAY + 60 * DAY)
    planned = _planned(people["admin"], tree["a"], -1)
    calendar.catch_up(TODAY)
    ob.refresh_from_db()
    assert ob.done_on is None  # a plan is not a drill
    from fangfan.standards import facts

    assert facts.compute_unit(tree["a"].path).get("semesters_without_drill") is None
    drill = services.create_record(people["admin"], Drill, {
        "unit": tree["a"], "planned": planned, "held_on": TODAY - DAY,
        "scenario": "knife_attack"})
    ob.refresh_from_db()
    assert ob.done_on == TODAY - DAY and ob.fulfilled_by_id == str(drill.pk)


def test_record_as_held_opens_the_drill_form_prefilled(tree, people, plan, client):
    planned = _planned(people["admin"], tree["a"], 3, plan=plan)
    client.force_login(people["admin"])
    page = client.get(planned.get_absolute_url()).content.decode()
    assert 'data-action="drills"' in page and "Record as held" in page
    link = page.split('data-action="drills"')[0].rsplit('href="', 1)[1].split('"')[0]
    link = link.replace("&amp;", "&")
    url = emg.held_url(planned)  # the home page's link: the same form, the same values
    assert parse_qs(urlsplit(link).query) == parse_qs(urlsplit(url).query)
    form = client.get(link).content.decode()
    assert f'<option value="{planned.pk}" selected>' in form
    assert f'<option value="{plan.pk}" selected>' in form
    # Held early: today, not the planned day (a drill is recorded once held).
    assert f'value="{TODAY.isoformat()}"' in form
    assert 'name="counter_terrorism"' in form and "checked" in form.split(
        'name="counter_terrorism"')[1].split(">")[0]
    services.create_record(people["admin"], Drill, {
        "unit": tree["a"], "planned": planned, "held_on": TODAY, "scenario": "knife_attack"})
    page = client.get(planned.get_absolute_url()).content.decode()
    assert "Record as held" not in page and 'data-testid="planned-held"' in page


def test_planned_drills_due_this_week_or_overdue_are_home_work(tree, people):
    soon = _planned(people["admin"], tree["a"], 3)
    late = _planned(people["admin"], tree["a"], -4, scenario="evacuation",
                    counter_terrorism=False)
    _planned(people["admin"], tree["a"], 20, scenario="arson")
    work = _work(people["admin"], tree["a"])
    assert work["Hold the planned drill: Knife attack"] == ("Record as held",
                                                            emg.held_url(soon))
    assert work["Hold the planned drill: Evacuation (fire, earthquake)"][0] == "Record as held"
    assert "Hold the planned drill: Arson" not in work  # beyond the week
    # Staff see the planned drill but do not record drills: its page.
    assert _work(people["staff"], tree["a"])["Hold the planned drill: Knife attack"] == (
        "Open", soon.get_absolute_url())
    assert not any(t.startswith("Hold the planned drill")
                   for t in _work(people["other"], tree["b"]))
    services.create_record(people["admin"], Drill, {
        "unit": tree["a"], "planned": late, "held_on": TODAY - 4 * DAY,
        "scenario": "evacuation"})
    assert "Hold the planned drill: Evacuation (fire, earthquake)" not in _work(
        people["admin"], tree["a"])


def _entries(html: str) -> list[tuple[str, str]]:
    out = []
    for chunk in html.split("<tr data-entry=")[1:]:
        kind = chunk.split('"')[1]
        status = chunk.split('data-status="')[1].split('"')[0]
        out.append((kind, status))
    return out


def test_the_calendar_shows_planned_drills_and_plan_revisions(tree, people, plan, client):
    upcoming = _planned(people["admin"], tree["a"], 40, scenario="arson",
                        counter_terrorism=False)
    _planned(people["admin"], tree["a"], 2)
    overdue = _planned(people["admin"], tree["a"], -400, scenario="evacuation")
    held = _planned(people["admin"], tree["a"], -10, scenario="explosion")
    drill = services.create_record(people["admin"], Drill, {
        "unit": tree["a"], "planned": held, "held_on": TODAY - 9 * DAY,
        "scenario": "explosion"})
    _planned(people["other"], tree["b"], 5)
    client.force_login(people["admin"])
    html = client.get(reverse("calendar-unit", args=["school-a"])).content.decode()
    entries = _entries(html)
    assert sorted(entries) == sorted([("Planned drill", "upcoming"), ("Planned drill", "due"),
                                      ("Planned drill", "overdue"), ("Planned drill", "done"),
                                      ("Plan revision", "upcoming")])
    assert upcoming.get_absolute_url() in html and overdue.get_absolute_url() in html
    assert drill.get_absolute_url() in html  # a held plan links to its drill
    assert "Knife attack (counter-terrorism)" in html
    assert f"Revise the plan: {plan.title}" in html
    # A drill marks the plan for revision: due within 30 days.
    emg.mark_for_revision(people["admin"], plan, "演练发现疏散路线拥堵")
    html = client.get(reverse("calendar-unit", args=["school-a"])).content.decode()
    assert ("Plan revision", "due") in _entries(html)
    # Another unit's reader sees none of it; its own calendar has its planned drill.
    client.force_login(people["other"])
    html = client.get(reverse("calendar-unit", args=["school-b"])).content.decode()
    assert _entries(html) == [("Planned drill", "due")]


def test_the_calendar_entry_window_and_status():
    terms = [(2026, 1, dt.date(2026, 9, 1), dt.date(2027, 1, 23)),
             (2026, 2, dt.date(2027, 2, 22), dt.date(2027, 7, 2))]
    today = dt.date(2026, 11, 27)
    assert calendar.entry_window(today, terms) == (dt.date(2026, 9, 1), dt.date(2027, 11, 27))
    assert calendar.entry_window(today, []) == (dt.date(2026, 9, 1), dt.date(2027, 11, 27))
    # After the last term, with no next year's terms yet: the school year by the calendar.
    assert calendar.entry_window(dt.date(2027, 8, 10), terms)[0] == dt.date(2026, 9, 1)
    assert calendar.entry_status(today - DAY, today) == "overdue"
    assert calendar.entry_status(today + 7 * DAY, today) == "due"
    assert calendar.entry_status(today + 8 * DAY, today) == "upcoming"
    assert calendar.entry_status(today - DAY, today, done=True) == "done"


def test_the_calendar_pages_queries_do_not_grow_with_entries(tree, people, plan, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["admin"])
    url = reverse("calendar-unit", args=["school-a"])
    _planned(people["admin"], tree["a"], 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for days in (-3, 9, 30, 60, 90):
        _planned(people["admin"], tree["a"], days)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(_entries(html)) == 7 and len(many) == len(few)
