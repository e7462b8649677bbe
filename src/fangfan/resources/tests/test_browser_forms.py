"""In a real browser: the asset form swaps its attributes when the category changes
(HTMX under the content security policy, no inline script), and the asset's page leads
to reporting its fault with the asset already chosen."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fangfan.core.models import Role
from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_asset_form_follows_the_category_and_the_page_reports_a_fault(page, tree,  # noqa: F811
                                                                         make_user):
    make_user(Role.UNIT_ADMIN, tree["a"], username="admin-a", language="en")
    _login(page, "admin-a")
    page.goto(page.base + "/assets/add/")
    expect(page.locator("[name=night_capable]")).to_have_count(0)
    page.fill("input[name=name]", "校门摄像机")
    page.select_option("select[name=category]", "camera")
    expect(page.locator("[name=night_capable]")).to_have_count(1)
    expect(page.locator("[name=retention_days]")).to_have_count(0)
    _settled(page)  # the swapped-in select listens once HTMX has settled it
    page.select_option("select[name=category]", "recorder")
    expect(page.locator("[name=retention_days]")).to_have_count(1)
    expect(page.locator("[name=night_capable]")).to_have_count(0)
    expect(page.locator("input[name=name]")).to_have_value("校门摄像机")
    page.fill("input[name=retention_days]", "30")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/assets/*/")
    page.click("[data-action=faults]")
    page.wait_for_url("**/faults/add/**")
    assert page.locator("select[name=asset] option:checked").inner_text() == "校门摄像机"


def _settled(pg) -> None:
    pg.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    pg.wait_for_timeout(50)
