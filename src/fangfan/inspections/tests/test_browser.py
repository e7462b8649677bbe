"""Browser (issue 9): a supervisor inspects a school from the home page's task, turns a
failed item into a hazard, the school rectifies it from a phone with a photo, the
supervisor verifies it, and the hazard is closed."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401  (fixtures)
from fangfan.inspections.models import Hazard, Inspection
from fangfan.resources.models import Person
from fangfan.standards.models import SchoolTerm

pytestmark = pytest.mark.browser

# The smallest valid PNG: a photo as the phone's camera would hand it over.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


@pytest.fixture
def term(tree):
    today = timezone.localdate()
    services.create_record(None, SchoolTerm, {
        "unit": tree["city"], "school_year": today.year, "number": 1,
        "starts_on": today - dt.timedelta(days=30), "ends_on": today + dt.timedelta(days=60)})
    services.create_record(None, Person, {"unit": tree["a"], "name": "郭建刚"})
    return tree


def test_inspect_rectify_from_a_phone_verify(page, browser, live_server, term,  # noqa: F811
                                             make_user):
    make_user(Role.SUPERVISOR, term["district"], username="sup")
    make_user(Role.UNIT_ADMIN, term["a"], username="admin-a")
    _login(page, "sup")

    # The home page asks for the semester's supervisory inspections of each school.
    task = page.locator("[data-testid=work-item]", has_text="Supervisory inspection of 甲小学")
    expect(task).to_contain_text("0 of 2 this semester")
    task.get_by_role("link", name="Inspect").click()
    expect(page.locator("select[name=kind]")).to_have_value("supervisory")
    page.fill("input[name=inspectors]", "区教育局安全科")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("#checklist")).to_be_visible()

    items = page.locator(".inspection-item")
    count = items.count()
    assert count > 5
    first = items.first
    first.locator("label", has_text="Fail").click()
    first.locator("input[name=note]").fill("未签订安全责任书")
    first.get_by_role("button", name="Save").click()
    expect(page.locator(".inspection-item").first).to_have_attribute("data-result", "fail")
    for i in range(1, count):
        row = page.locator(".inspection-item").nth(i)
        row.locator("label", has_text="Pass").click()
        row.get_by_role("button", name="Save").click()
        expect(page.locator(".inspection-item").nth(i)).to_have_attribute("data-result",
                                                                          "pass")
    page.get_by_test_id("finish").click()
    expect(page.locator("#checklist")).to_contain_text("Finished on")
    insp = Inspection.objects.get(unit=term["a"])
    assert insp.completed_on and insp.by_supervisor

    # One step from the failed item to a hazard of the school, assigned at once.
    page.get_by_test_id("make-hazard").click()
    expect(page.locator("input[name=title]")).not_to_have_value("")
    page.select_option("select[name=responsible]", label="郭建刚")
    deadline = timezone.localdate() + dt.timedelta(days=7)
    page.fill("input[name=deadline]", deadline.isoformat())
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()
    hazard = Hazard.objects.get(unit=term["a"], finding__isnull=False)  # not gap-raised
    assert (hazard.status, hazard.source, hazard.dispatched_by_id) == (
        "assigned", "inspection", term["district"].pk)

    # The school rectifies from a phone, with a photo from the camera.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = phone.new_page()
    pg.base = live_server.url
    _login(pg, "admin-a")
    pg.goto(f"{live_server.url}{hazard.get_absolute_url()}")
    pg.get_by_role("link", name="Report rectified").click()
    pg.fill("textarea[name=note]", "已组织全体教职工签订责任书")
    pg.set_input_files("input[name=files]", files=[
        {"name": "after.png", "mimeType": "image/png", "buffer": PNG}])
    pg.locator("form button[type=submit]").last.click()
    expect(pg.locator(".alert-success")).to_be_visible()
    phone.close()
    hazard.refresh_from_db()
    assert hazard.status == "rectified"
    step = hazard.steps.get(kind="rectify")
    from fangfan.core.evidence import attachments_of

    assert [a.filename for a in attachments_of(step)] == ["after.png"]

    # The supervisor verifies and closes it.
    page.goto(f"{live_server.url}{hazard.get_absolute_url()}")
    page.get_by_role("link", name="Verify and close").click()
    page.fill("textarea[name=note]", "现场核实已整改")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()
    hazard.refresh_from_db()
    assert (hazard.status, hazard.verified_by.username) == ("closed", "sup")


def test_guard_reports_a_hazard_with_a_photo_from_a_phone(browser, live_server, tree,  # noqa: F811
                                                          make_user):
    from fangfan.resources.models import Location

    services.create_record(None, Location, {"unit": tree["a"], "name": "东侧围墙",
                                            "kind": "perimeter"})
    make_user(Role.GUARD, tree["a"], username="guard-a")
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    pg.base = live_server.url
    _login(pg, "guard-a")
    pg.locator("[data-testid=quick-actions]").get_by_role("link", name="Report a hazard").click()
    for managed in ("responsible", "deadline", "measures", "source"):
        expect(pg.locator(f"[name={managed}]")).to_have_count(0)
    pg.fill("input[name=title]", "围墙外侧有攀爬痕迹")
    pg.select_option("select[name=location]", label="东侧围墙")
    pg.set_input_files("input[name=files]", files=[
        {"name": "wall.png", "mimeType": "image/png", "buffer": PNG}])
    pg.locator("form button[type=submit]").last.click()
    expect(pg.locator(".alert-success")).to_be_visible()
    ctx.close()
    from fangfan.core.evidence import attachments_of

    hazard = Hazard.objects.get(unit=tree["a"])
    assert (hazard.status, hazard.location.name) == ("found", "东侧围墙")
    assert [a.filename for a in attachments_of(hazard)] == ["wall.png"]
