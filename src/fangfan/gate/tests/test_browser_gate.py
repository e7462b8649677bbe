"""A guard on a phone (390×844) checks a visitor in from the home page's "Visitors
expected today" and out again from the visit's page."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import User
from fangfan.core.tests.test_browser import browser  # noqa: F401  (the shared fixture)
from fangfan.core.tests.test_browser_phone import NO_SCROLL, phone_as  # noqa: F401
from fangfan.gate import services as gate
from fangfan.gate.models import Visit, VisitStatus
from fangfan.resources.models import Person

pytestmark = pytest.mark.browser


def test_guard_checks_a_visitor_in_and_out_on_a_phone(phone_as):  # noqa: F811
    pg = phone_as("xinqiao_guard")
    admin = User.objects.get(username="xinqiao_admin")
    host = Person.objects.get(unit__code="xinqiao", name="黄益芬")
    visit = services.create_record(admin, Visit, {
        "unit": host.unit, "host": host, "visitor_name": "郑凯", "phone": "13812340009",
        "purpose": "维修教室投影仪", "expected_at": timezone.now() + dt.timedelta(minutes=30)})
    if visit.status != VisitStatus.CONFIRMED:
        gate.confirm(admin, visit)
    pg.goto(pg.base + "/")
    panel = pg.locator("[data-testid=visitors-today]")
    row = panel.locator("[data-testid=visitor-row]", has_text="郑*")
    row.locator("select[name=document_type]").select_option("id_card")
    row.locator("input[name=identity_number]").fill("110101199003077571")
    row.locator("[data-testid=document-returned]").check()
    assert pg.evaluate(NO_SCROLL)
    button = row.locator("[data-testid=check-in]")
    assert button.bounding_box()["height"] >= 44
    with pg.expect_navigation():
        button.click()
    # Back on the home page (the panel's buttons say so), the visitor now inside.
    assert pg.url.rstrip("/") == pg.base.rstrip("/")
    assert "郑凯" not in pg.content()  # masked on the guard's page
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CHECKED_IN and visit.document_returned
    row = panel.locator("[data-testid=visitor-row]", has_text="郑*")
    with pg.expect_navigation():
        row.locator("[data-testid=check-out]").click()
    assert pg.url.rstrip("/") == pg.base.rstrip("/")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CHECKED_OUT
    pg.goto(pg.base + visit.get_absolute_url())
    pg.wait_for_selector("[data-testid=visit-status]")
    assert pg.evaluate(NO_SCROLL)
