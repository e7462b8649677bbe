"""The authority's live page, escalation of missing acknowledgements, telling the units,
the home page's work, and the pages' refusals."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangfan.alerts import escalation, live
from fangfan.alerts import services as alerts
from fangfan.alerts.models import AlertMeasure, AlertOrder, UnitAlert
from fangfan.core import services
from fangfan.core.models import Notification, Role
from fangfan.core.work import WorkContext, items_for


@pytest.fixture
def level(tree, make_user, django_capture_on_commit_callbacks):
    supervisor = make_user(Role.SUPERVISOR, tree["district"])
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        order = services.create_record(supervisor, AlertOrder, {
            "unit": tree["district"], "level": 2, "reason": "持刀伤人事件",
            "starts_at": now - dt.timedelta(minutes=1), "ends_at": now + dt.timedelta(1)})
    return supervisor, order


def test_issuing_tells_each_units_leads(tree, make_user, django_capture_on_commit_callbacks):
    leads = [make_user(Role.UNIT_ADMIN, tree["a"]), make_user(Role.PRINCIPAL, tree["b"],
                                                             language="zh-hans")]
    guard = make_user(Role.GUARD, tree["a"])
    supervisor = make_user(Role.SUPERVISOR, tree["district"])
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        order = services.create_record(supervisor, AlertOrder, {
            "unit": tree["district"], "level": 1, "reason": "持刀伤人事件",
            "starts_at": now, "ends_at": now + dt.timedelta(1)})
    got = {n.user_id: n for n in Notification.objects.all()}
    assert set(got) == {u.pk for u in leads} and guard.pk not in got
    a = UnitAlert.objects.get(order=order, unit=tree["a"])
    assert got[leads[0].pk].link == a.get_absolute_url() and got[leads[0].pk].urgent
    assert "Level I" in got[leads[0].pk].title and "测试区教育局" in got[leads[0].pk].title


def test_live_page_ranks_and_counts(tree, level, make_user, client):
    supervisor, order = level
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    alerts.acknowledge(admin, UnitAlert.objects.get(order=order, unit=tree["a"]))
    built = live.build(supervisor, order)
    rows = list(built.page.object_list)
    assert [r.unit.code for r in rows] == ["school-b", "school-a"]  # waiting first
    assert (built.totals.units, built.totals.acknowledged, built.totals.waiting) == (2, 1, 1)
    client.force_login(supervisor)
    html = client.get(order.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 15s"' in html and "1 / 2" in html
    url = reverse("alert-live", args=[order.pk])
    assert client.get(url).status_code == 200
    # A constant number of queries whatever the number of units.
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        services.create_unit(None, {"parent": tree["district"], "code": f"x{i}",
                                    "name": f"学校{i}", "kind": "school",
                                    "stage": "primary"})
    now = timezone.now()
    more = services.create_record(supervisor, AlertOrder, {
        "unit": tree["district"], "level": 2, "reason": "x", "starts_at": now,
        "ends_at": now + dt.timedelta(1)})
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("alert-live", args=[more.pk]))
    assert len(many.captured_queries) == len(few.captured_queries)
    # A school's people do not open the district's live page.
    client.force_login(admin)
    assert client.get(url).status_code == 404


def test_escalation_reminds_then_tells_the_authority(tree, level, make_user):
    supervisor, order = level
    lead = make_user(Role.PRINCIPAL, tree["b"])
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    alerts.acknowledge(admin, UnitAlert.objects.get(order=order, unit=tree["a"]))
    issued = UnitAlert.objects.get(order=order, unit=tree["b"]).issued_at
    assert escalation.run(issued + dt.timedelta(hours=1)) == {"reminded": 0,
                                                              "escalated": 0}
    at = issued + dt.timedelta(hours=2, minutes=1)
    assert escalation.run(at) == {"reminded": 1, "escalated": 0}
    assert escalation.run(at) == {"reminded": 0, "escalated": 0}  # claimed: once
    assert Notification.objects.filter(user=lead, title__startswith="Acknowledge").count() == 1
    assert not Notification.objects.filter(user=admin, title__startswith="Acknowledge")
    later = issued + dt.timedelta(hours=4, minutes=1)
    assert escalation.run(later) == {"reminded": 0, "escalated": 1}
    assert escalation.run(later) == {"reminded": 0, "escalated": 0}
    told = Notification.objects.get(user=supervisor, title__contains="not acknowledged")
    assert told.title.startswith("1 unit") and told.link == order.get_absolute_url()


def test_home_page_work(tree, level, make_user):
    supervisor, order = level
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    a = UnitAlert.objects.get(order=order, unit=tree["a"])
    sections = items_for(WorkContext(admin, [tree["a"].path]))
    first = sections["overdue"]
    assert first and first[0].title.startswith("Acknowledge alert Level II")
    measures = [i for i in sections["today"]
                if i.url.startswith(a.get_absolute_url() + "#measure-")]
    assert len(measures) == 11
    mine = [i for items in items_for(WorkContext(supervisor, [tree["district"].path]))
            .values() for i in items]
    assert any("2 units have not acknowledged" in i.title for i in mine)


def test_ticking_from_the_page(tree, level, make_user, client):
    supervisor, order = level
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    a = UnitAlert.objects.get(order=order, unit=tree["a"])
    client.force_login(admin)
    page = client.get(a.get_absolute_url()).content.decode()
    assert 'data-testid="acknowledge"' in page
    client.post(reverse("alert-acknowledge", args=[a.pk]))
    m = a.measures.get(code="comms")
    resp = client.post(reverse("alert-measure-report", args=[m.pk]),
                       {"done": "on", "note": "畅通"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and 'data-done="1"' in resp.content.decode()
    m = a.measures.get(code="guards")
    resp = client.post(reverse("alert-measure-report", args=[m.pk]), {"done": "on"})
    assert resp.status_code == 400  # the guards on duty are missing
    # The district may not tick the school's measures.
    client.force_login(supervisor)
    resp = client.post(reverse("alert-measure-report", args=[m.pk]), {"done": "on"})
    assert resp.status_code == 403
    assert not AlertMeasure.objects.get(pk=m.pk).done


def test_the_area_page_lists_the_levels_in_force(tree, level, make_user, client):
    supervisor, order = level
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    client.force_login(admin)
    html = client.get(reverse("alerts-in-force")).content.decode()
    a = UnitAlert.objects.get(order=order, unit=tree["a"])
    assert a.get_absolute_url() in html and "Not acknowledged yet" in html
    client.force_login(supervisor)
    html = client.get(reverse("alerts-in-force")).content.decode()
    assert order.get_absolute_url() in html
    alerts.stand_down(supervisor, order)
    assert "No alert level is in force." in client.get(reverse("alerts-in-force")).content \
        .decode()
