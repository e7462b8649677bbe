"""Browser: each role finds its first task on its home page and reaches it in one click
(issue 8). A unit administrator fixes a gap from the home page's "去整改"; a supervisor
opens a school's unmet result from the gap matrix; a guard reports a fault from a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401  (fixtures)
from fangfan.resources.models import Asset, Person
from fangfan.standards import engine

pytestmark = pytest.mark.browser


@pytest.fixture
def short_of_guards(tree):
    """School A has one full-time guard of the two R-STAFF asks for; B has two."""
    services.create_record(None, Person, {"unit": tree["a"], "name": "保安", "is_guard": True})
    for i in range(2):
        services.create_record(None, Person, {"unit": tree["b"], "name": f"保安{i}",
                                              "is_guard": True})
    engine.evaluate_subtree([tree["city"].path])
    return tree


def test_unit_admin_fixes_a_gap_from_the_home_page(page, short_of_guards,  # noqa: F811
                                                  make_user):
    make_user(Role.UNIT_ADMIN, short_of_guards["a"], username="admin-a", language="zh-hans")
    _login(page, "admin-a")
    gaps = page.locator("[data-section=gap]")
    staff = gaps.locator("[data-testid=work-item]", has_text="专职保安员")
    expect(staff).to_contain_text("要求 2，实际 1")
    staff.get_by_role("link", name="去整改").click()
    page.fill("input[name=name]", "保安二")
    page.check("input[name=is_guard]")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(page.base + "/")
    expect(page.locator("[data-section=gap]", has_text="专职保安员")).to_have_count(0)
    # The record counts wait in their fold and load when it opens.
    page.locator("[data-testid=record-counts] summary").click()
    expect(page.locator("[data-testid=unit-card]")).to_contain_text("人员")


def test_supervisor_reaches_a_schools_unmet_result_in_one_click(page,  # noqa: F811
                                                                short_of_guards, make_user):
    make_user(Role.SUPERVISOR, short_of_guards["district"], username="sup",
              language="zh-hans")
    _login(page, "sup")
    matrix = page.locator("[data-testid=gap-matrix]")
    expect(matrix.locator("tr[data-unit]").first).to_have_attribute("data-unit", "school-a")
    page.select_option("#gm-by", "requirement")  # the matrix is replaced in place
    expect(matrix.locator("thead th", has_text="专职保安员").first).to_be_visible()
    row = matrix.locator("tr[data-unit=school-a]")
    index = matrix.locator("thead th").evaluate_all(
        "(ths, name) => ths.findIndex(th => th.textContent.includes(name))", "专职保安员")
    assert index > 0
    row.locator("td").nth(index).locator("a").click()
    expect(page.locator("h2.page-title")).to_contain_text("甲小学")
    expect(page.locator("body")).to_contain_text("未达标")


def test_guard_reports_a_fault_from_a_phone(browser, live_server, tree,  # noqa: F811
                                            make_user):
    services.create_record(None, Asset, {"unit": tree["a"], "category": "camera",
                                         "name": "校门摄像机"})
    make_user(Role.GUARD, tree["a"], username="guard-a", language="zh-hans")
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    pg.base = live_server.url
    _login(pg, "guard-a")
    quick = pg.locator("[data-testid=quick-actions]")
    expect(quick.get_by_role("link", name="报告故障")).to_be_visible()
    box = quick.get_by_role("link", name="报告故障").bounding_box()
    assert box and box["height"] >= 44
    quick.get_by_role("link", name="报告故障").click()
    pg.select_option("select[name=asset]", label="校门摄像机")
    pg.fill("textarea[name=description]", "夜间画面全黑")
    pg.fill("textarea[name=temporary_measure]", "保安在校门值守")
    pg.locator("form button[type=submit]").last.click()
    expect(pg.locator(".alert-success")).to_be_visible()
    pg.goto(pg.base + "/")
    expect(pg.locator("[data-section=today], [data-section=week]").first).to_contain_text(
        "校门摄像机")
    ctx.close()
