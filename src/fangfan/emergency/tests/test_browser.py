"""Browser (issue 11): after a drill, a teacher reports the class's count from a phone
(390 px) from the home page's task; an impossible count is refused with its reason; the
principal's page of the round shows the totals change without reloading (HTMX polling)."""
from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401  (fixtures)
from fangfan.emergency.models import AccountingReport, AccountingRound

pytestmark = pytest.mark.browser


def test_a_class_reports_its_count_from_a_phone(page, browser, live_server, tree,  # noqa: F811
                                                 make_user):
    make_user(Role.STAFF, tree["a"], username="teacher-a")
    make_user(Role.PRINCIPAL, tree["a"], username="principal-a")
    rnd = services.create_record(None, AccountingRound, {
        "unit": tree["a"], "reason": "drill", "started_at": timezone.now(),
        "note": "疏散至操场"})

    # The principal watches the round's totals on a desktop.
    _login(page, "principal-a")
    page.goto(f"{live_server.url}{rnd.get_absolute_url()}")
    expect(page.get_by_test_id("total-present")).to_have_text("0")

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    pg.base = live_server.url
    _login(pg, "teacher-a")
    task = pg.locator("[data-testid=work-item]", has_text="Accounting for everyone")
    task.get_by_role("link", name="Report a count").click()
    expect(pg.get_by_test_id("count-form")).to_be_visible()
    box = pg.locator("input[name=present]").bounding_box()
    assert box["height"] >= 40 and box["width"] >= 300  # big inputs, the width of the phone
    pg.fill("input[name=group_name]", "三年级二班")
    pg.fill("input[name=enrolled]", "42")
    pg.fill("input[name=present]", "40")
    pg.fill("input[name=missing]", "5")
    pg.fill("input[name=injured]", "0")
    pg.get_by_test_id("send-count").click()
    expect(pg.locator("[role=alert]")).to_contain_text("exceed those enrolled")
    assert not AccountingReport.objects.exists()
    pg.fill("input[name=missing]", "2")
    pg.get_by_test_id("send-count").click()
    expect(pg.locator(".alert-success")).to_be_visible()
    expect(pg.get_by_test_id("total-missing")).to_have_text("2")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    ctx.close()

    # The principal's page updates by itself within the polling interval.
    expect(page.get_by_test_id("total-present")).to_have_text("40", timeout=15000)
    expect(page.get_by_test_id("total-missing")).to_have_text("2")
    report = AccountingReport.objects.get()
    assert (report.group_name, report.reporter.username) == ("三年级二班", "teacher-a")
