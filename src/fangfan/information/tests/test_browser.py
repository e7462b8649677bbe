"""Browser (issue 12): the district opens a reporting window and adds its questions, a
school fills it in (its guards counted from its records), and the district sees who has
and has not submitted and the totals."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401  (fixtures)
from fangfan.information.models import ReportingWindow, Submission
from fangfan.resources.models import Person

pytestmark = pytest.mark.browser


def test_reporting_window_from_opening_to_roll_up(page, browser, live_server,  # noqa: F811
                                                   tree, make_user):
    for name in ("甲", "乙"):
        services.create_record(None, Person, {"unit": tree["a"], "name": name,
                                              "is_guard": True})
    make_user(Role.SUPERVISOR, tree["district"], username="district")
    make_user(Role.UNIT_ADMIN, tree["a"], username="admin-a")
    deadline = timezone.localdate() + dt.timedelta(days=5)

    # The district opens the window and asks two questions.
    _login(page, "district")
    page.goto(page.base + "/reporting-windows/add/")
    page.select_option("select[name=unit]", str(tree["district"].pk))
    page.select_option("select[name=kind]", "term_start")
    page.fill("input[name=title]", "开学安全信息报送")
    page.fill("input[name=deadline]", deadline.isoformat())
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/reporting-windows/*/")
    window = ReportingWindow.objects.get()
    for position, label, kind in ((1, "专职保安员人数", "number"), (2, "封闭化管理", "choice")):
        page.goto(page.base + f"/report-fields/add/?window={window.pk}")
        page.select_option("select[name=unit]", str(tree["district"].pk))
        page.fill("input[name=position]", str(position))
        page.fill("input[name=label]", label)
        page.select_option("select[name=kind]", kind)
        page.wait_for_load_state("networkidle")  # the fields that fit the kind, swapped in
        if kind == "number":
            page.locator("select[name=fact]").wait_for()
            page.select_option("select[name=fact]", "guards_full_time")
        else:
            page.locator("textarea[name=options]").wait_for()
            page.fill("textarea[name=options]", "是\n否")
        page.click("form button[type=submit].btn-primary")
        page.wait_for_url("**/report-fields/*/")
    assert window.fields.count() == 2
    assert window.fields.get(position=1).fact == "guards_full_time"

    # The school fills it in from its window page; the guards come from its records.
    school = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = school.new_page()
    pg.base = live_server.url
    _login(pg, "admin-a")
    pg.goto(pg.base + window.get_absolute_url())
    pg.get_by_test_id("fill").click()
    number = pg.locator("input[type=text][name^=f]")
    expect(number).to_have_value("2")
    pg.locator("select[name^=f]").select_option("是")
    pg.get_by_test_id("submit").click()
    pg.wait_for_url("**/submissions/*/")
    assert Submission.objects.filter(unit=tree["a"]).exists()
    school.close()

    # The district sees the school that has not submitted and the totals.
    page.goto(page.base + window.get_absolute_url())
    page.get_by_test_id("roll-up").click()
    expect(page.get_by_test_id("submitted-count")).to_have_text("1")
    expect(page.get_by_test_id("missing")).to_contain_text("乙小学")
    expect(page.get_by_test_id("total-1")).to_have_text("2")
    expect(page.get_by_test_id("totals")).to_contain_text("是：1")
    with page.expect_download() as download:
        page.get_by_test_id("roll-up-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
