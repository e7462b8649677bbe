"""Browser (issue 11): the district issues level II for its schools, a school
acknowledges it and ticks a measure on a phone (390×844), and the district's live page
changes by itself (HTMX polling)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangfan.alerts.models import AlertOrder, UnitAlert
from fangfan.core.models import Role
from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_level_acknowledged_and_ticked_from_a_phone(page, browser, live_server, tree,  # noqa: F811
                                                    make_user):
    make_user(Role.SUPERVISOR, tree["district"], username="sup")
    make_user(Role.UNIT_ADMIN, tree["a"], username="admin-a")
    _login(page, "sup")
    page.goto(page.base + "/")
    page.get_by_role("link", name="Issue an alert level").first.click()
    page.select_option("select[name=unit]", label="测试区教育局")
    page.select_option("select[name=level]", label="Level II")
    page.fill("textarea[name=reason]", "周边发生持刀伤人事件，提升防范等级")
    ends = timezone.localtime() + dt.timedelta(days=7)
    page.fill("input[name=ends_at]", ends.strftime("%Y-%m-%d %H:%M"))
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("alert-order")).to_have_attribute("data-level", "2")
    order = AlertOrder.objects.get()
    assert UnitAlert.objects.filter(order=order).count() == 2
    expect(page.get_by_test_id("acknowledged-count")).to_have_text("0 / 2")

    # The school, on a phone: its home page asks to acknowledge first.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = phone.new_page()
    pg.set_default_timeout(10000)
    pg.base = live_server.url
    _login(pg, "admin-a")
    task = pg.locator("[data-testid=work-item]", has_text="Acknowledge alert Level II")
    task.get_by_role("link", name="Acknowledge").click()
    pg.get_by_test_id("acknowledge").click()
    expect(pg.get_by_test_id("acknowledged")).to_be_visible()
    row = pg.locator(".alert-measure").nth(2)  # communications kept open
    row.locator("input[name=done]").check()
    row.locator("input[name=note]").fill("对讲机、值班电话畅通")
    row.get_by_test_id("save-measure").click()
    expect(pg.locator(".alert-measure").nth(2)).to_have_attribute("data-done", "1")
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    phone.close()

    # The district's page changes without a reload (polled every 15 seconds).
    expect(page.get_by_test_id("acknowledged-count")).to_have_text("1 / 2", timeout=20000)
    expect(page.get_by_test_id("done-count")).to_have_text("1 / 22")
