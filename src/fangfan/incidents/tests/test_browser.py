"""Browser (EMG-4): a guard reports an incident from a phone with one key on the home
page; the school's administrator sees it, its timeline and the response groups' tasks."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401  (fixtures)
from fangfan.incidents.models import Incident
from fangfan.inspections.tests.test_browser import PNG

pytestmark = pytest.mark.browser


def test_a_guard_reports_from_a_phone_and_the_admin_sees_it(page, browser,  # noqa: F811
                                                             live_server, school,
                                                             tmp_path):
    school["guard"].username = "guard-a"
    school["guard"].save()
    school["admin"].username = "admin-a"
    school["admin"].save()
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = phone.new_page()
    pg.base = live_server.url
    _login(pg, "guard-a")
    # One key: the big red button, first of the quick actions, the page's whole width.
    button = pg.locator("[data-testid=quick-actions] a").first
    expect(button).to_have_text("Report an incident")
    box = button.bounding_box()
    assert box["width"] > 300 and box["height"] >= 40
    pg.screenshot(path=str(tmp_path / "home.png"))
    button.click()
    for managed in ("status", "aftermath", "lessons"):
        expect(pg.locator(f"[name={managed}]")).to_have_count(0)
    pg.fill("input[name=title]", "一男子持刀在南门徘徊")
    pg.select_option("select[name=location]", label="南校门")
    pg.select_option("select[name=severity]", "major")
    pg.set_input_files("input[name=files]", files=[
        {"name": "gate.png", "mimeType": "image/png", "buffer": PNG}])
    pg.locator("form button[type=submit]").last.click()
    expect(pg.locator(".alert-success")).to_be_visible()
    pg.screenshot(path=str(tmp_path / "incident.png"), full_page=True)
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone.close()
    incident = Incident.objects.get()
    assert (incident.severity, incident.location.name, incident.reported_by.username) == (
        "major", "南校门", "guard-a")

    _login(page, "admin-a")
    item = page.locator("[data-testid=work-item]",
                        has_text="Report the incident: 一男子持刀在南门徘徊")
    expect(item).to_be_visible()
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    expect(page.get_by_test_id("report-due")).to_contain_text("Not reported yet")
    tasks = page.get_by_test_id("incident-tasks")
    expect(tasks).to_contain_text("秩序维护组")
    expect(tasks).to_contain_text("伤员救治组")
    expect(page.locator("#children-incident-events")).to_contain_text("Command HQ alerted")
    expect(page.locator("body")).to_contain_text("gate.png")
