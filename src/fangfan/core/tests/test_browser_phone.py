"""Phone-first pages in a real browser at 390×844: every record list (iterating the
registry) shows cards and no horizontal scroll, its filters wait behind one button, touch
targets are at least 44px; the home page and the duty matrix fit too."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from fangfan.core import registry
from fangfan.core.demo import DEMO_PASSWORD
from fangfan.core.tests.test_browser import browser  # noqa: F401  (the shared fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NO_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# What each row of the list looks like: a card is a grid; the table header is hidden.
CARDS = """() => {
  const rows = [...document.querySelectorAll('#record-table tbody tr')];
  const head = document.querySelector('#record-table thead');
  return {rows: rows.length, head: head ? getComputedStyle(head).display : 'none',
          grid: rows.filter(r => getComputedStyle(r).display === 'grid').length,
          titled: rows.filter(r => r.querySelector('.ff-card-title a')?.offsetHeight >= 44).length};
}"""
# Visible controls smaller than a finger (the language <select>'s own box counts too).
SMALL = """() => [...document.querySelectorAll(
    '.page-body .btn, .page-body .page-link, .page-body .form-control, .page-body .form-select,'
    + ' .page-body td:not(.ff-card-fact) a, .page-body a.list-group-item, header .nav-link,'
    + ' header .navbar-toggler')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
  .map(e => e.outerHTML.slice(0, 80))"""


@pytest.fixture
def phone_as(browser, live_server):  # noqa: F811
    """A signed-in phone-sized page for a demo user. The demo is loaded once the live
    server has answered what the previous test's pages still asked of it (a closed page's
    last request runs on), on a fresh connection."""
    with live_server.thread.httpd.serial_lock:
        connection.close()
    call_command("demo")
    contexts = []

    def open_as(username: str):
        ctx = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(10000)
        pg.goto(live_server.url + "/accounts/login/")
        pg.fill("input[name=username]", username)
        pg.fill("input[name=password]", DEMO_PASSWORD)
        pg.click("form button[type=submit]")
        pg.wait_for_url(live_server.url + "/")
        pg.base = live_server.url
        return pg

    yield open_as
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def phone(phone_as):
    return phone_as("admin")


def test_every_list_is_cards_without_horizontal_scroll(phone):
    failures = []
    for rt in registry.record_types():
        phone.goto(phone.base + reverse(rt.url_name("list")))
        if not phone.evaluate(NO_SCROLL):
            failures.append(f"{rt.slug}: scrolls sideways")
        cards = phone.evaluate(CARDS)
        filled = cards["rows"] and not phone.locator("#record-table td[colspan]").count()
        if cards["head"] != "none" or (filled and cards["grid"] != cards["rows"]):
            failures.append(f"{rt.slug}: not cards {cards}")
        if filled and cards["titled"] != cards["rows"]:
            failures.append(f"{rt.slug}: a card's title link is under 44px {cards}")
        if small := phone.evaluate(SMALL):
            failures.append(f"{rt.slug}: small touch targets {small[:3]}")
    assert not failures, "\n".join(failures)


def test_filters_open_behind_one_button_and_still_filter_in_place(phone):
    phone.goto(phone.base + reverse("records:assets-list"))
    form = phone.locator("#record-filter")
    assert not form.is_visible()
    before = phone.locator("#record-table tbody tr").count()
    phone.get_by_test_id("filter-toggle").click()
    assert form.is_visible()
    phone.select_option("#record-filter select[name=status]", index=2)
    phone.wait_for_url("**status=**")
    rows = "document.querySelectorAll('#record-table tbody tr').length"
    phone.wait_for_function(f"{rows} < {before}")
    assert phone.evaluate(NO_SCROLL)
    # Opened again already filtered, the list shows its filters and how many are set.
    phone.reload()
    assert form.is_visible()
    assert phone.get_by_test_id("filter-toggle").locator(".badge").inner_text() == "1"


@pytest.mark.parametrize("username", ["admin", "xinqiao_admin", "xinqiao_guard",
                                      "xinbei_supervisor"])
def test_home_fits_a_phone(phone_as, username):
    phone = phone_as(username)
    assert phone.evaluate(NO_SCROLL)
    assert not phone.evaluate(SMALL)


def test_duty_matrix_is_one_card_per_body_on_a_phone(phone_as):
    phone = phone_as("weifang_admin")
    phone.goto(phone.base + reverse("duty-matrix-unit", args=["weifang"]))
    assert phone.evaluate(NO_SCROLL)
    assert phone.get_by_test_id("duty-cards").is_visible()
    assert not phone.get_by_test_id("duty-matrix").is_visible()
    assert phone.get_by_test_id("duty-cards").locator(".card").count() >= 10
    assert not phone.evaluate(SMALL)
