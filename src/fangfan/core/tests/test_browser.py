"""Browser flows in a real headless Chromium (Debian's package, driven by Playwright):
log in, switch language, create a location, see it listed, find its audit entry, and
import a file with a bad row."""
from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import expect

from fangfan.core.models import Role

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        if os.environ.get("FANGFAN_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread for the whole module;
    # Django's ORM refuses to run beside one unless told it is safe (it is: nothing else
    # uses the loop). Set only while this module's browser lives.
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield b
            b.close()
    finally:
        if old is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


@pytest.fixture
def page(browser, live_server):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(10000)
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.base = live_server.url
    yield pg
    ctx.close()
    # Refused forms answer 400 by design; the browser logs that as a failed load.
    assert not [e for e in errors if "status of 400" not in e], errors


def _login(page, username: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-long-enough-1")
    page.click("form button[type=submit]")
    page.wait_for_url(page.base + "/")


def test_location_lifecycle_language_audit_and_import(page, tree, make_user, tmp_path):
    make_user(Role.UNIT_ADMIN, tree["a"], username="admin-a", language="zh-hans")
    _login(page, "admin-a")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # Switch to English and back to Chinese through the language menu.
    page.select_option("[data-testid=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_text("Records at a glance").is_visible()
    page.select_option("[data-testid=language]", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # Create a location and find it in the list.
    page.goto(page.base + "/locations/add/")
    page.select_option("select[name=unit]", str(tree["a"].pk))
    page.fill("input[name=name]", "南校门")
    page.select_option("select[name=kind]", "main_gate")
    page.check("input[name=is_key]")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/locations/*/")
    page.goto(page.base + "/locations/")
    assert page.get_by_role("link", name="南校门").is_visible()

    # Its audit entry is in the log.
    page.goto(page.base + "/audit/")
    page.get_by_role("link", name="南校门").first.click()
    assert "南校门" in page.locator("h2.page-title").inner_text()
    assert page.locator(".hash").count() >= 2

    # An import with one bad row shows the row and imports nothing.
    bad = tmp_path / "locations.csv"
    bad.write_text("unit,name,kind\nschool-a,食堂,canteen\nschool-a,配电房,power_plant\n",
                   encoding="utf-8")
    page.goto(page.base + "/locations/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("form button[type=submit].btn-primary")
    errors = page.locator("[data-testid=import-errors]")
    errors.wait_for()
    assert "3" in errors.locator("tbody tr").first.inner_text()
    page.goto(page.base + "/locations/")
    assert page.get_by_role("link", name="食堂").count() == 0


def test_phone_layout_and_filter(page, tree, make_user):
    from fangfan.core import services
    from fangfan.resources.models import Location

    for name in ("南校门", "食堂", "配电房"):
        services.create_record(None, Location, {"unit": tree["a"], "name": name,
                                                "kind": "other"})
    make_user(Role.GUARD, tree["a"], username="guard-a", language="zh-hans")
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "guard-a")
    page.goto(page.base + "/locations/")
    page.get_by_test_id("filter-toggle").click()  # on a phone the filters wait behind it
    page.fill("input[name=q]", "食")
    page.press("input[name=q]", "Enter")
    expect(page.get_by_role("link", name="配电房")).to_have_count(0)
    assert page.get_by_role("link", name="食堂").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page is {width}px wide on a phone"
