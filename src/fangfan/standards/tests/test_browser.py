"""Browser: a unit administrator opens the compliance page and reads the gap list."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401  (fixtures)
from fangfan.resources.models import Person
from fangfan.standards import engine

pytestmark = pytest.mark.browser


def test_unit_gap_list(page, tree, make_user):  # noqa: F811
    services.create_record(None, Person, {"unit": tree["a"], "name": "保安", "is_guard": True})
    engine.evaluate_subtree([tree["a"].path])
    make_user(Role.UNIT_ADMIN, tree["a"], username="admin-a", language="zh-hans")
    _login(page, "admin-a")
    page.locator("a[href='/compliance/school-a/']").first.click()  # from the home page card
    expect(page.locator("h2.page-title")).to_have_text("甲小学")
    staff = page.locator("tr[data-ref=R-STAFF]")
    expect(staff).to_contain_text("附件1")
    expect(staff.locator("td").nth(2)).to_have_text("2")
    expect(staff.locator("td").nth(3)).to_have_text("1")
    # Fix the gap: record a second full-time guard; the page shows it met after recompute.
    services.create_record(None, Person, {"unit": tree["a"], "name": "保安二", "is_guard": True})
    page.locator("form[action$='/refresh/'] button").click()
    expect(page.locator("tr[data-ref=R-STAFF]")).to_have_count(0)
