"""Incidents (EMG-4), service level: the one-key report and what follows it at once
(timeline, urgent notifications, the response groups' tasks), reports against the
reporting limits, statements through approval, closure, accounting, the report."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Notification
from fangfan.core.services import OutOfScope
from fangfan.incidents import services as incident_services
from fangfan.incidents.models import (
    ExternalReport,
    Incident,
    IncidentEvent,
    IncidentTask,
    ReportingLimit,
    Statement,
)
from fangfan.organisation.models import Body


def _report(s, actor=None, **fields) -> Incident:
    data = {"unit": s["a"], "title": "一男子持刀欲闯入校门", "location": s["gate"],
            "severity": "general", "occurred_at": timezone.now() - dt.timedelta(minutes=5),
            **fields}
    return services.create_record(actor or s["guard"], Incident, data)


def test_a_guard_reports_and_everything_starts_at_once(school):
    incident = _report(school, severity="major")
    assert incident.reported_by == school["guard"] and incident.status == "open"
    # The limit for a major incident, by default one hour from its occurrence.
    assert incident.report_by == incident.occurred_at + dt.timedelta(hours=1)
    events = list(incident.events.values_list("what", flat=True))
    assert events[0].startswith("Reported by guard-school-a (南校门): 一男子持刀欲闯入校门")
    assert "Command HQ alerted: 2 leaders of the unit and 1 people" in events[1]
    assert "Response groups activated: 秩序维护组、伤员救治组." in events[2]
    # One task per response group (not the office), in the plan's order.
    tasks = list(incident.tasks.select_related("group"))
    assert [t.group.name for t in tasks] == ["秩序维护组", "伤员救治组"]
    assert tasks[0].task.startswith("Seal off the scene") and not tasks[0].done
    assert "120" in tasks[1].task
    # Urgent: the unit's admin and principal, and the district's supervisor.
    told = Notification.objects.filter(urgent=True, link=incident.get_absolute_url())
    assert set(told.values_list("user__username", flat=True)) == {
        "unit_admin-school-a", "principal-school-a", "supervisor-district"}
    assert not told.filter(user=school["other_admin"]).exists()


def test_a_unit_without_response_groups_says_so(tree, make_user):
    incident = services.create_record(make_user("guard", tree["b"]), Incident, {
        "unit": tree["b"], "title": "可疑包裹"})
    assert not incident.tasks.exists()
    assert incident.events.filter(what__startswith="No response groups").exists()


def test_refusals_of_a_report(school):
    with pytest.raises(ValidationError) as exc:
        _report(school, occurred_at=timezone.now() + dt.timedelta(hours=1))
    assert "occurred_at" in exc.value.message_dict
    other = services.create_record(None, type(school["gate"]), {
        "unit": school["b"], "name": "北门", "kind": "main_gate"})
    with pytest.raises(ValidationError) as exc:
        _report(school, location=other)
    assert "location" in exc.value.message_dict
    # A guard reports; the leaders close.
    with pytest.raises(ValidationError) as exc:
        _report(school, status="closed", aftermath="x", lessons="y")
    assert "status" in exc.value.message_dict
    with pytest.raises(OutOfScope):
        _report(school, actor=school["other_admin"])
    assert not Incident.objects.exists()


def test_closing_needs_the_aftermath_and_lessons_and_stays_closed(school):
    incident = _report(school)
    with pytest.raises(ValidationError) as exc:
        services.update_record(school["admin"], incident, {"status": "closed"})
    assert set(exc.value.message_dict) == {"aftermath", "lessons"}
    incident.refresh_from_db()
    with pytest.raises(ValidationError):
        services.update_record(school["admin"], incident, {"status": "closed",
                                                           "aftermath": "家长已安抚"})
    incident.refresh_from_db()
    services.update_record(school["admin"], incident, {
        "status": "closed", "aftermath": "家长已安抚，配合警方调查", "lessons": "门卫加强盘查"})
    assert incident.closed_at is not None
    assert incident.events.filter(what__startswith="Closed by unit_admin-school-a").exists()
    with pytest.raises(ValidationError) as exc:
        services.update_record(school["admin"], incident, {"status": "open"})
    assert "status" in exc.value.message_dict
    # The guard may not change it at all.
    incident.refresh_from_db()
    with pytest.raises(OutOfScope):
        services.update_record(school["guard"], incident, {"lessons": "x"})


def test_reports_against_the_limits(school):
    incident = _report(school, occurred_at=timezone.now() - dt.timedelta(hours=3))
    on_time = services.create_record(school["guard"], ExternalReport, {
        "unit": school["a"], "incident": incident, "recipient": "police",
        "reported_at": incident.occurred_at + dt.timedelta(minutes=3),
        "reported_by": "黄建刚", "reference": "JJ-31"})
    late = services.create_record(school["admin"], ExternalReport, {
        "unit": school["a"], "incident": incident, "recipient": "education",
        "reported_at": incident.occurred_at + dt.timedelta(minutes=150),
        "reported_by": "杨阳"})
    assert (on_time.late, on_time.limit_minutes) == (False, 120)
    assert (late.late, late.limit_minutes) == (True, 120)
    assert incident.events.filter(what__contains="Late: after the limit of 120").count() == 1
    # The incident lists as not reported in time.
    from fangfan.core.filters import filterset_class
    from fangfan.core.registry import get

    fs = filterset_class(get("incidents"))({"late": "true"}, queryset=Incident.objects.all())
    assert list(fs.qs) == [incident]
    # A stricter local rule above (the district's: 3 hours; major 1): still late for 150.
    services.create_record(None, ReportingLimit, {
        "unit": school["district"], "general_minutes": 180, "major_minutes": 60})
    incident.refresh_from_db()
    services.update_record(school["admin"], incident, {"description": "补充情况"})
    late.refresh_from_db()
    assert (late.late, late.limit_minutes) == (False, 180)
    # A major incident: 60 minutes.
    services.update_record(school["admin"], incident, {"severity": "major"})
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.late, late.limit_minutes, on_time.late) == (True, 60, False)


def test_report_refusals(school):
    incident = _report(school)
    base = {"unit": school["a"], "incident": incident, "recipient": "police",
            "reported_by": "黄建刚"}
    with pytest.raises(ValidationError) as exc:
        services.create_record(school["guard"], ExternalReport, {
            **base, "reported_at": incident.occurred_at - dt.timedelta(minutes=1)})
    assert "reported_at" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.create_record(school["guard"], ExternalReport, {
            **base, "reported_at": timezone.now() + dt.timedelta(hours=1)})
    with pytest.raises(ValidationError):
        services.create_record(None, ReportingLimit, {
            "unit": school["a"], "general_minutes": 30, "major_minutes": 60})


def test_the_limit_nearest_the_unit_applies(school):
    services.create_record(None, ReportingLimit, {
        "unit": school["city"], "general_minutes": 240, "major_minutes": 120})
    assert incident_services.limit_minutes(school["a"].path, "general") == 240
    services.create_record(None, ReportingLimit, {
        "unit": school["a"], "general_minutes": 90, "major_minutes": 30})
    assert incident_services.limit_minutes(school["a"].path, "major") == 30
    assert incident_services.limit_minutes(school["b"].path, "major") == 120


def test_tasks_done_and_their_groups(school):
    incident = _report(school)
    task = incident.tasks.first()
    services.update_record(school["admin"], task, {"done": True, "note": "南门已封闭"})
    assert task.done_at is not None
    assert incident.events.filter(what="秩序维护组: task done — 南门已封闭 "
                                       "(unit_admin-school-a).").exists()
    services.update_record(school["admin"], task, {"done": False})
    assert task.done_at is None
    office = Body.objects.get(kind="office")
    with pytest.raises(ValidationError) as exc:
        services.create_record(school["admin"], IncidentTask, {
            "unit": school["a"], "incident": incident, "group": office, "task": "x"})
    assert "group" in exc.value.message_dict
    elsewhere = services.create_record(None, Body, {"unit": school["b"], "kind": "order_group",
                                                    "name": "秩序维护组"})
    with pytest.raises(ValidationError) as exc:
        services.create_record(school["admin"], IncidentTask, {
            "unit": school["a"], "incident": incident, "group": elsewhere, "task": "x"})
    assert "group" in exc.value.message_dict
    # Staff mark tasks done; guards only see them.
    services.update_record(school["staff"], task, {"done": True})
    with pytest.raises(OutOfScope):
        services.update_record(school["guard"], task, {"note": "x"})


def test_timeline_entries_by_whoever_adds_them(school):
    incident = _report(school)
    e = services.create_record(school["guard"], IncidentEvent, {
        "unit": school["a"], "incident": incident, "what": "民警到场"})
    assert e.by == school["guard"]
    with pytest.raises(ValidationError):
        services.create_record(school["guard"], IncidentEvent, {
            "unit": school["a"], "incident": incident, "what": "x",
            "at": timezone.now() + dt.timedelta(hours=1)})


def test_statements_are_released_only_once_approved(school):
    incident = _report(school)
    data = {"unit": school["a"], "incident": incident, "spokesperson": school["spokesperson"],
            "text": "我校已妥善处置，无人员受伤。"}
    with pytest.raises(ValidationError) as exc:
        services.create_record(school["admin"], Statement, {**data,
                                                            "released_at": timezone.now()})
    assert "released_at" in exc.value.message_dict
    st = services.create_record(school["admin"], Statement, data)
    assert not st.approved and st.approved_by is None
    # Only the principal or an administrator approves (staff are refused).
    assert not incident_services.may_approve(school["staff"], st.unit_path)
    assert not incident_services.may_approve(school["supervisor"], st.unit_path)
    with pytest.raises(ValidationError) as exc:
        services.update_following(school["staff"], st, {"approved": True})
    assert "approved" in exc.value.message_dict
    st.refresh_from_db()
    services.update_record(school["principal"], st, {"approved": True})
    assert st.approved_by == school["principal"] and st.approved_at
    with pytest.raises(ValidationError) as exc:
        services.update_record(school["admin"], st, {"text": "改过的口径"})
    assert "text" in exc.value.message_dict
    st.refresh_from_db()
    services.update_record(school["admin"], st, {"released_at": timezone.now()})
    whats = list(incident.events.values_list("what", flat=True))
    assert any("approved by principal-school-a" in w for w in whats)
    assert any(w.startswith("Public statement released") for w in whats)
    with pytest.raises(OutOfScope):
        services.create_record(school["guard"], Statement, data)


def test_start_accounting_from_the_incident(school):
    incident = _report(school)
    with pytest.raises(OutOfScope):
        incident_services.start_accounting(school["other_admin"], incident)
    round_ = incident_services.start_accounting(school["admin"], incident)
    incident.refresh_from_db()
    assert incident.accounting == round_ and round_.reason == "incident"
    assert round_.unit == school["a"]
    with pytest.raises(ValidationError):
        incident_services.start_accounting(school["admin"], incident)


def test_accounting_button_and_view(school, client):
    incident = _report(school)
    client.force_login(school["admin"])
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="incident-accounting"' in page
    resp = client.post(f"/incidents/{incident.pk}/accounting/")
    assert resp.status_code == 302
    incident.refresh_from_db()
    assert incident.accounting_id
    client.force_login(school["other_admin"])
    assert client.post(f"/incidents/{incident.pk}/accounting/").status_code == 404


def test_the_page_shows_late_reports_in_red(school, client):
    incident = _report(school, occurred_at=timezone.now() - dt.timedelta(hours=4))
    client.force_login(school["admin"])
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'class="text-danger fw-bold" data-testid="report-due"' in page
    services.create_record(school["admin"], ExternalReport, {
        "unit": school["a"], "incident": incident, "recipient": "police",
        "reported_at": timezone.now() - dt.timedelta(minutes=1), "reported_by": "杨阳"})
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'class="text-danger fw-bold" data-testid="external-report"' in page
    assert "late (limit 120 minutes)" in page


def test_the_incident_report_docx(school, client):
    from docx import Document

    incident = _report(school)
    services.create_record(school["guard"], ExternalReport, {
        "unit": school["a"], "incident": incident, "recipient": "police",
        "reported_at": timezone.now(), "reported_by": "黄建刚"})
    services.update_record(school["admin"], incident, {
        "status": "closed", "aftermath": "家长已安抚", "lessons": "加强门卫盘查"})
    client.force_login(school["principal"])
    resp = client.get(f"/incidents/{incident.pk}/report.docx?language=zh-hans")
    assert resp.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.content)).paragraphs)
    cells = "\n".join(c.text for t in Document(io.BytesIO(resp.content)).tables
                      for r in t.rows for c in r.cells)
    assert "一男子持刀欲闯入校门" in cells and "加强门卫盘查" in cells and "秩序维护组" in cells
    assert "黄建刚" in cells and text
    client.force_login(school["other_admin"])
    assert client.get(f"/incidents/{incident.pk}/report.docx").status_code == 404


def test_the_home_page_asks_to_report_then_shows_it(school, client):
    incident = _report(school)
    client.force_login(school["admin"])
    page = client.get("/").content.decode()
    assert "Report the incident: 一男子持刀欲闯入校门" in page
    assert "Report an incident" in page  # the quick action
    services.create_record(school["admin"], ExternalReport, {
        "unit": school["a"], "incident": incident, "recipient": "police",
        "reported_at": timezone.now(), "reported_by": "杨阳"})
    page = client.get("/").content.decode()
    assert "Incident being handled: 一男子持刀欲闯入校门" in page
    client.force_login(school["guard"])
    assert "Report an incident" in client.get("/").content.decode()
