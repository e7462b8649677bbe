"""Browser: a unit administrator creates an account for a new guard, who then signs in."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fangfan.core.models import Role
from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_unit_admin_creates_a_guard_account(page, tree, make_user):  # noqa: F811
    make_user(Role.UNIT_ADMIN, tree["a"], username="admin-a", language="zh-hans")
    _login(page, "admin-a")
    page.goto(page.base + "/accounts/manage/")
    form = page.locator("[data-testid=account-form]")
    form.locator("input[name=username]").fill("guard-new")
    form.locator("input[name=name]").fill("刘保安")
    form.locator("input[name=password]").fill("pw-long-enough-1")
    form.locator("select[name=role]").select_option("guard")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=grants]")).to_contain_text("guard-new")
    expect(page.locator("[data-testid=grants]")).to_contain_text("保安员")
    page.context.clear_cookies()
    _login(page, "guard-new")
    expect(page.locator("body")).to_contain_text("甲小学")
