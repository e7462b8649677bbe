"""Browser (X-3): on a phone, a person's phone is masked on the list and the record's
page; a user granted the permission taps "Show" and reads the number in place (HTMX),
and the auditor finds that read in the read log, linked from the audit log."""
from __future__ import annotations

import pytest
from django.urls import reverse

from fangfan.core import privacy, services
from fangfan.core.models import Role
from fangfan.core.tests.test_browser import browser  # noqa: F401  (the shared fixture)
from fangfan.resources.models import Person

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _sign_in(browser, live_server, username):  # noqa: F811
    ctx = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True)
    pg = ctx.new_page()
    pg.set_default_timeout(10000)
    pg.goto(live_server.url + "/accounts/login/")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", "pw-long-enough-1")
    pg.click("form button[type=submit]")
    pg.wait_for_url(live_server.url + "/")
    return ctx, pg


def test_show_a_phone_on_a_phone_and_find_the_read(browser, live_server, tree,  # noqa: F811
                                                    make_user):
    person = services.create_record(None, Person, {"unit": tree["a"], "name": "王晓明",
                                                   "phone": "13800000001"})
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    privacy.grant(None, admin, tree["a"])
    ctx, pg = _sign_in(browser, live_server, admin.username)
    pg.goto(live_server.url + reverse("records:people-detail", args=[person.pk]))
    assert "138****0001" in pg.content() and "13800000001" not in pg.content()
    button = pg.get_by_test_id("reveal-phone")
    assert button.bounding_box()["height"] >= 40  # a finger's target
    button.click()
    pg.get_by_test_id("revealed").wait_for()
    assert pg.get_by_test_id("revealed").inner_text() == "13800000001"
    ctx.close()
    auditor = make_user(Role.AUDITOR, tree["district"])
    ctx, pg = _sign_in(browser, live_server, auditor.username)
    pg.goto(live_server.url + reverse("audit-log"))
    pg.get_by_test_id("privacy-reads-link").click()
    rows = pg.get_by_test_id("privacy-reads")
    assert "王晓明" in rows.inner_text() and "Record page" in rows.inner_text()
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    ctx.close()
