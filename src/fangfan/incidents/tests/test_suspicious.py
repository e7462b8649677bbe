"""Suspicious reports (OPS-5): anyone at the unit reports from a phone; the leaders
assess (watch, dismiss with the reason, report upward to the supervising authority);
a report is made a hazard or an incident from its page; refusals say why."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Notification
from fangfan.incidents.models import SuspiciousReport
from fangfan.resources.models import Person


def _report(s, actor=None, **fields) -> SuspiciousReport:
    data = {"unit": s["a"], "what": "陌生男子在南门外徘徊拍照", "location": s["gate"],
            "person_description": "黑色夹克，背双肩包",
            "reported_at": timezone.now() - dt.timedelta(minutes=10), **fields}
    return services.create_record(actor or s["guard"], SuspiciousReport, data)


def test_a_guard_reports_with_their_person(school):
    person = services.create_record(None, Person, {"unit": school["a"], "name": "黄建刚",
                                                   "user": school["guard"]})
    report = _report(school)
    assert (report.status, report.reported_by, report.reporter) == (
        "new", school["guard"], person)
    assert report.where == "南校门"


@pytest.mark.parametrize("fields, field, message", [
    ({"reported_at": "future"}, "reported_at", "This time has not come yet."),
    ({"location": None, "place": ""}, "place", "Say where"),
    ({"status": "watching"}, "status", "the unit's leaders assess it"),
])
def test_refusals_when_reporting(school, fields, field, message):
    if fields.get("reported_at") == "future":
        fields = {"reported_at": timezone.now() + dt.timedelta(hours=1)}
    with pytest.raises(ValidationError) as exc:
        _report(school, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not SuspiciousReport.objects.exists()


def test_dismissed_only_with_a_reason_and_never_back_to_new(school):
    report = _report(school)
    with pytest.raises(ValidationError, match="Say why the report is dismissed"):
        services.update_record(school["admin"], report, {"status": "dismissed"})
    report.refresh_from_db()
    assert report.status == "new"
    services.update_record(school["principal"], report, {
        "status": "dismissed", "assessment": "系学生家长，等候接孩子"})
    report.refresh_from_db()
    assert (report.assessed_by, report.status) == (school["principal"], "dismissed")
    with pytest.raises(ValidationError, match="not set back"):
        services.update_record(school["admin"], report, {"status": "new"})


def test_watching_then_escalated_tells_the_authority_once(school):
    report = _report(school)
    services.update_record(school["admin"], report, {
        "status": "watching", "assessment": "已通知门卫留意"})
    assert not Notification.objects.filter(link=report.get_absolute_url()).exists()
    services.update_record(school["admin"], report, {"status": "escalated"})
    report.refresh_from_db()
    assert report.escalated_at is not None
    told = Notification.objects.filter(link=report.get_absolute_url())
    assert list(told.values_list("user__username", flat=True)) == ["supervisor-district"]
    assert told.get().urgent and "陌生男子" in told.get().title
    services.update_record(school["admin"], report, {"assessment": "派出所已回复"})
    assert told.count() == 1


def test_page_offers_hazard_and_incident_prefilled(school, client):
    report = _report(school)
    client.force_login(school["admin"])
    page = client.get(report.get_absolute_url()).content.decode()
    hazard = reverse("records:hazards-add")
    assert f'href="{hazard}?' in page and "source=report" in page
    assert f'href="{reverse("records:incidents-add")}?' in page
    form = client.get(f"{hazard}?title=x&source=report&location={school['gate'].pk}"
                      f"&unit={school['a'].pk}")
    assert form.status_code == 200
    # The guard sees the report but not the assessment (the edit page).
    client.force_login(school["guard"])
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    assert reverse("records:suspicious-reports-edit", args=[report.pk]) not in \
        response.content.decode()


def test_home_quick_action_and_work_for_the_leaders(school, client):
    client.force_login(school["staff"])
    page = client.get("/").content.decode()
    assert "Report something suspicious" in page
    assert page.index('data-testid="urgent-action"') < page.index(
        "Report something suspicious")
    _report(school)
    client.force_login(school["admin"])
    page = client.get("/").content.decode()
    assert "Suspicious report to assess: 陌生男子在南门外徘徊拍照" in page


def test_other_units_do_not_see_it(school, client):
    report = _report(school)
    client.force_login(school["other_admin"])
    assert client.get(report.get_absolute_url()).status_code == 404


def test_staff_see_only_their_own_reports(school, client):
    """A teacher sees the reports they filed, not their colleagues' (pages, API, the
    home page); the guards see the unit's, to watch for whom they describe; the leaders
    who assess see all."""
    own = _report(school, actor=school["staff"], what="我报告的：操场围墙外有人翻看")
    other = _report(school, what="门卫报告的：陌生车辆在门口停留")
    client.force_login(school["staff"])
    page = client.get(reverse("records:suspicious-reports-list")).content.decode()
    assert own.get_absolute_url() in page and other.get_absolute_url() not in page
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(own.get_absolute_url()).status_code == 200
    api = client.get("/api/suspicious-reports/").json()
    assert [r["id"] for r in api["results"]] == [own.pk]
    assert client.get(f"/api/suspicious-reports/{other.pk}/").status_code == 404
    assert client.get(reverse("records:suspicious-reports-export"),
                      {"format": "csv"}).status_code == 403
    for user in ("guard", "principal", "admin"):
        client.force_login(school[user])
        ids = {r["id"] for r in client.get("/api/suspicious-reports/").json()["results"]}
        assert ids == {own.pk, other.pk}, user
    client.force_login(school["supervisor"])
    ids = {r["id"] for r in client.get("/api/suspicious-reports/").json()["results"]}
    assert ids == {own.pk, other.pk}
