"""Browser: a unit administrator builds the leadership group and downloads the plan."""
from __future__ import annotations

import io

import docx
import pytest
from playwright.sync_api import expect

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.test_browser import _login, browser, page  # noqa: F401  (fixtures)
from fangfan.resources.models import Person

pytestmark = pytest.mark.browser


def test_build_leadership_group_and_download_plan(page, tree, make_user):  # noqa: F811
    services.create_record(None, Person, {"unit": tree["a"], "name": "李校长", "post": "校长"})
    make_user(Role.UNIT_ADMIN, tree["a"], username="admin-a", language="zh-hans")
    _login(page, "admin-a")
    page.goto(page.base + "/bodies/add/")
    page.select_option("select[name=kind]", "leadership_group")
    page.fill("input[name=name]", "反恐怖防范领导小组")
    page.fill("textarea[name=duties]", "组织指挥反恐怖防范工作\n组织编制预案")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("h2.page-title")).to_have_text("反恐怖防范领导小组")

    page.locator("#children-body-members a.btn").click()  # "add" prefilled with the body
    page.select_option("select[name=person]", label="李校长")
    page.select_option("select[name=role]", "leader")
    page.locator("form button[type=submit]").last.click()
    page.goto(page.base + "/bodies/")
    page.get_by_role("link", name="反恐怖防范领导小组").click()
    expect(page.locator("#children-body-members")).to_contain_text("李校长")

    page.goto(page.base + "/documents/school-a/")
    with page.expect_download() as info:
        page.locator("[data-testid=plan-zh]").click()
    plan = docx.Document(io.BytesIO(open(info.value.path(), "rb").read()))
    text = "\n".join(p.text for p in plan.paragraphs)
    assert "组长：李校长（校长）" in text and "组织编制预案" in text
