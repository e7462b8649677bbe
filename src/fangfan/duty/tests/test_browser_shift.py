"""A guard's whole shift on a phone-sized page (390×844), in one browser session: signed
in, their shift first on the home page; from the home page's "Next patrol" the patrol
started and two checkpoint codes typed (the camera cannot be used headless); a visitor
expected today checked in from the home page (identity checked, the document handed
back) and out again; then "Report something suspicious" from the home page. Each page
fits the phone: no sideways scroll, touch targets of a finger."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Unit, User
from fangfan.core.tests.test_browser import browser  # noqa: F401  (the shared fixture)
from fangfan.core.tests.test_browser_phone import NO_SCROLL, SMALL, phone_as  # noqa: F401
from fangfan.gate import services as gate
from fangfan.gate.models import Visit, VisitStatus
from fangfan.incidents.models import SuspiciousReport
from fangfan.patrols.models import Checkpoint, PatrolRoute, PatrolScan
from fangfan.resources.models import Location, Person

pytestmark = pytest.mark.browser


def _route_due_now(school: Unit) -> list[Checkpoint]:
    """A route of 新桥 whose one round is due now, the school's only active route (the
    demo's are at fixed times, so the home page's next patrol is this one)."""
    PatrolRoute.objects.filter(unit=school).update(active=False)
    route = services.create_record(None, PatrolRoute, {
        "unit": school, "name": "临时加密巡查", "times": f"{timezone.localtime():%H:%M}",
        "tolerance_minutes": 30})
    return [services.create_record(None, Checkpoint, {
        "unit": school, "route": route, "order": i + 1,
        "location": Location.objects.get(unit=school, name=name)})
        for i, name in enumerate(["信息中心", "学生饮水处"])]


def _later_today() -> dt.datetime:
    """Half an hour from now, or, late in the evening, a time still today: the home page
    lists the visitors expected today (run at 23:56, half an hour on was tomorrow, and
    the visitor was not there). In the day's last minute and a half, after midnight."""
    now = timezone.localtime()
    midnight = timezone.make_aware(dt.datetime.combine(now.date() + dt.timedelta(days=1),
                                                       dt.time()))
    if midnight - now < dt.timedelta(seconds=90):
        time.sleep((midnight - now).total_seconds() + 1)
        return _later_today()
    return min(now + dt.timedelta(minutes=30), midnight - dt.timedelta(seconds=30))


def _visitor_expected(school: Unit) -> Visit:
    """A visitor the host announced for later today, confirmed."""
    admin = User.objects.get(username="xinqiao_admin")
    host = Person.objects.get(unit=school, name="黄益芬")
    visit = services.create_record(admin, Visit, {
        "unit": school, "host": host, "visitor_name": "郑凯", "phone": "13812340009",
        "purpose": "维修教室投影仪", "expected_at": _later_today()})
    if visit.status != VisitStatus.CONFIRMED:
        gate.confirm(admin, visit)
    return visit


def _fits(phone) -> None:
    assert phone.evaluate(NO_SCROLL), phone.url
    assert not phone.evaluate(SMALL), phone.url


def _patrol(phone, points: list[Checkpoint]) -> None:
    """From the home page's next patrol, start it and type each checkpoint's code."""
    panel = phone.get_by_test_id("next-patrol")
    assert "临时加密巡查" in panel.inner_text()
    with phone.expect_navigation():
        panel.get_by_test_id("panel-start-patrol").click()
    phone.wait_for_url("**/patrol/rounds/*/")
    _fits(phone)
    for point in points:
        phone.fill("[data-testid=scan-code]", point.code_display.lower())
        with phone.expect_navigation():
            phone.get_by_test_id("scan-submit").click()
        assert point.location.name in phone.locator(".alert-success").inner_text()
    assert phone.get_by_test_id("round-status").get_attribute("data-status") == "finished"
    assert PatrolScan.objects.filter(checkpoint__in=points,
                                     person__name="黄建刚").count() == 2


def _visitor_in_and_out(phone, visit: Visit) -> None:
    """Checked in from the home page's visitors expected today, then out again; the
    visitor's name masked on the guard's page throughout."""
    panel = phone.get_by_test_id("visitors-today")
    row = panel.get_by_test_id("visitor-row").filter(has_text="郑*")
    row.locator("select[name=document_type]").select_option("id_card")
    row.locator("input[name=identity_number]").fill("110101199003077571")
    row.get_by_test_id("document-returned").check()
    assert phone.evaluate(NO_SCROLL)
    button = row.get_by_test_id("check-in")
    assert button.bounding_box()["height"] >= 44
    with phone.expect_navigation():
        button.click()
    assert phone.url.rstrip("/") == phone.base.rstrip("/")  # back on the home page
    assert "郑凯" not in phone.content()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CHECKED_IN and visit.document_returned
    row = panel.get_by_test_id("visitor-row").filter(has_text="郑*")
    with phone.expect_navigation():
        row.get_by_test_id("check-out").click()
    assert phone.url.rstrip("/") == phone.base.rstrip("/")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CHECKED_OUT
    phone.goto(phone.base + visit.get_absolute_url())
    phone.wait_for_selector("[data-testid=visit-status]")
    assert phone.evaluate(NO_SCROLL) and "郑凯" not in phone.content()


def _report(phone) -> None:
    """"Report something suspicious" from the home page, filed as the guard's person."""
    phone.goto(phone.base + "/")
    phone.locator("[data-testid=quick-actions] a[href='/suspicious-reports/add/']").click()
    phone.wait_for_url("**/suspicious-reports/add/")
    assert phone.evaluate(NO_SCROLL)
    phone.fill("[name=place]", "北侧围墙外")
    phone.fill("[name=what]", "有人试图翻越围墙向校内张望")
    phone.fill("[name=person_description]", "两名青年男子，骑电动车")
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_url("**/suspicious-reports/*/")
    report = SuspiciousReport.objects.get(place="北侧围墙外")
    assert report.status == "new" and report.reporter.name == "黄建刚"


def test_a_guards_shift_on_a_phone(phone_as):  # noqa: F811
    phone = phone_as("xinqiao_guard")  # signed in through the login page
    school = Unit.objects.get(code="xinqiao")
    points, visit = _route_due_now(school), _visitor_expected(school)
    phone.reload()
    assert phone.get_by_test_id("my-shifts-panel").is_visible()
    _fits(phone)
    _patrol(phone, points)
    phone.goto(phone.base + "/")
    _visitor_in_and_out(phone, visit)
    _report(phone)
