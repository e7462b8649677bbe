"""A guard's patrol and suspicious report on a phone-sized page (390×844): Start patrol
from the home page, two checkpoint codes typed (the camera cannot be used headless), then
"Report something suspicious" from the home page."""
from __future__ import annotations

import pytest
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Unit
from fangfan.core.tests.test_browser import browser  # noqa: F401  (the shared fixture)
from fangfan.core.tests.test_browser_phone import NO_SCROLL, SMALL, phone_as  # noqa: F401
from fangfan.incidents.models import SuspiciousReport
from fangfan.patrols.models import Checkpoint, PatrolRoute, PatrolScan
from fangfan.resources.models import Location

pytestmark = pytest.mark.browser


def _route_due_now() -> list[Checkpoint]:
    """A route of 新桥 whose one round is due now (the demo's are at fixed times)."""
    school = Unit.objects.get(code="xinqiao")
    now = timezone.localtime()
    route = services.create_record(None, PatrolRoute, {
        "unit": school, "name": "临时加密巡查", "times": f"{now:%H:%M}",
        "tolerance_minutes": 30})
    return [services.create_record(None, Checkpoint, {
        "unit": school, "route": route, "order": i + 1,
        "location": Location.objects.get(unit=school, name=name)})
        for i, name in enumerate(["信息中心", "学生饮水处"])]


def test_guard_patrols_and_reports_from_a_phone(phone_as):  # noqa: F811
    points = _route_due_now()
    phone = phone_as("xinqiao_guard")
    assert phone.get_by_test_id("next-patrol").is_visible()
    phone.goto(phone.base + "/patrol/")
    card = phone.get_by_test_id("patrol-route").filter(has_text="临时加密巡查")
    card.get_by_test_id("start-patrol").click()
    phone.wait_for_url("**/patrol/rounds/*/")
    assert phone.evaluate(NO_SCROLL) and not phone.evaluate(SMALL)
    for point in points:
        phone.fill("[data-testid=scan-code]", point.code_display.lower())
        with phone.expect_navigation():
            phone.get_by_test_id("scan-submit").click()
        assert point.location.name in phone.locator(".alert-success").inner_text()
    assert phone.get_by_test_id("round-status").get_attribute("data-status") == "finished"
    assert PatrolScan.objects.filter(checkpoint__in=points,
                                     person__name="黄建刚").count() == 2

    phone.goto(phone.base + "/")
    phone.locator("[data-testid=quick-actions] a[href='/suspicious-reports/add/']").click()
    phone.wait_for_url("**/suspicious-reports/add/")
    phone.fill("[name=place]", "北侧围墙外")
    phone.fill("[name=what]", "有人试图翻越围墙向校内张望")
    phone.fill("[name=person_description]", "两名青年男子，骑电动车")
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_url("**/suspicious-reports/*/")
    report = SuspiciousReport.objects.get(place="北侧围墙外")
    assert report.status == "new" and report.reporter.name == "黄建刚"
