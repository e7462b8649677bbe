"""Notices (通报, INS-3): an authority publishes to its subtree, the leads below are told,
each reader's first opening (page or API) is a receipt, and the authority sees which
units of its own subtree have read it and which have not, counted in SQL and paged."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Notification, Role
from fangfan.inspections.notices import Notice, NoticeReceipt, NoticeUnit
from fangfan.inspections.templatetags import notice_receipts

TODAY = timezone.localdate()


@pytest.fixture
def world(tree):
    """The shared tree plus a second district with its school C."""
    other = services.create_unit(None, {"parent": tree["city"], "code": "district-2",
                                        "name": "另一区教育局", "kind": "education_bureau"})
    c = services.create_unit(None, {"parent": other, "code": "school-c", "name": "丙小学",
                                    "kind": "school", "stage": "primary"})
    return {**tree, "district2": other, "c": c}


@pytest.fixture
def people(world, make_user):
    return {"supervisor": make_user(Role.SUPERVISOR, world["district"]),
            "city": make_user(Role.SUPERVISOR, world["city"]),
            "admin_a": make_user(Role.UNIT_ADMIN, world["a"]),
            "principal_a": make_user(Role.PRINCIPAL, world["a"]),
            "guard_a": make_user(Role.GUARD, world["a"]),
            "admin_b": make_user(Role.UNIT_ADMIN, world["b"]),
            "admin_c": make_user(Role.UNIT_ADMIN, world["c"]),
            "district_admin": make_user(Role.UNIT_ADMIN, world["district"])}


def _publish(actor, unit, title="关于督导检查情况的通报") -> Notice:
    return services.create_record(actor, Notice, {"unit": unit, "title": title,
                                                  "body": "现将检查情况通报如下。"})


def test_publishing_tells_the_leads_below_only(world, people):
    notice = _publish(people["supervisor"], world["district"])
    told = set(Notification.objects.filter(link=notice.get_absolute_url())
               .values_list("user_id", flat=True))
    assert told == {people["admin_a"].pk, people["principal_a"].pk, people["admin_b"].pk}
    note = Notification.objects.filter(user=people["admin_a"]).get()
    assert "测试区教育局" in note.title and notice.title in note.title


def test_opening_the_page_records_the_first_read_once(world, people, client):
    notice = _publish(people["supervisor"], world["district"])
    client.force_login(people["admin_a"])
    assert client.get(notice.get_absolute_url()).status_code == 200
    receipt = NoticeReceipt.objects.get()
    assert (receipt.unit_id, receipt.user_id) == (world["a"].pk, people["admin_a"].pk)
    first = receipt.read_at
    client.get(notice.get_absolute_url())
    assert NoticeReceipt.objects.get().read_at == first
    # the publishing authority's own people leave no receipt
    client.force_login(people["supervisor"])
    client.get(notice.get_absolute_url())
    assert NoticeReceipt.objects.count() == 1


def test_the_api_detail_records_a_receipt_and_the_list_does_not(world, people, api_client):
    notice = _publish(people["supervisor"], world["district"])
    api_client.force_authenticate(people["admin_b"])
    assert api_client.get("/api/notices/").status_code == 200
    assert not NoticeReceipt.objects.exists()
    assert api_client.get(f"/api/notices/{notice.pk}/").status_code == 200
    assert NoticeReceipt.objects.filter(unit=world["b"], user=people["admin_b"]).exists()


def test_the_authority_sees_who_has_read_and_who_has_not(world, people, client):
    notice = _publish(people["supervisor"], world["district"])
    client.force_login(people["guard_a"])
    client.get(notice.get_absolute_url())
    client.force_login(people["supervisor"])
    html = client.get(notice.get_absolute_url()).content.decode()
    panel = html.split('data-testid="receipts"')[1]
    assert "1 of 2 units have read it" in panel
    unread = panel.split('data-testid="unread"')[1].split("</ul>")[0]
    assert "乙小学" in unread and "甲小学" not in unread
    assert "甲小学" in panel.split('data-testid="read"')[1]
    assert "Not read yet: 1 unit" in panel


def test_a_school_sees_no_receipts(world, people, client):
    notice = _publish(people["supervisor"], world["district"])
    client.force_login(people["admin_a"])
    assert 'data-testid="receipts"' not in client.get(notice.get_absolute_url()).content.decode()


def test_an_authority_below_sees_the_receipts_of_its_own_subtree_only(world, people):
    notice = _publish(people["city"], world["city"])
    NoticeReceipt.objects.create(notice=notice, unit=world["c"], user=people["admin_c"])
    NoticeReceipt.objects.create(notice=notice, unit=world["a"], user=people["admin_a"])
    mine = notice_receipts.receipts(people["supervisor"], notice)
    assert (mine["total"], mine["read_count"], mine["unread_count"]) == (3, 1, 2)
    assert {u["name"] for u in mine["unread"]} == {"测试区教育局", "乙小学"}
    assert [r["unit__name"] for r in mine["read"]] == ["甲小学"]
    city = notice_receipts.receipts(people["city"], notice)
    assert (city["total"], city["read_count"]) == (5, 2)


def test_the_unread_list_is_paged_in_a_constant_number_of_queries(world, people,
                                                                  monkeypatch):
    notice = _publish(people["city"], world["city"])
    monkeypatch.setattr(notice_receipts, "PAGE", 2)
    notice_receipts.receipts(people["city"], notice)  # the user's grants, read once
    with CaptureQueriesContext(connection) as few:
        first = notice_receipts.receipts(people["city"], notice)
    assert [u["name"] for u in first["unread"]] == ["测试区教育局", "甲小学"]
    assert (first["more"], first["next"]) == (3, 2)
    for i in range(5):
        services.create_unit(None, {"parent": world["c"].parent, "code": f"extra-{i}",
                                    "name": f"新学校{i}", "kind": "school"})
    with CaptureQueriesContext(connection) as many:
        last = notice_receipts.receipts(people["city"], notice, page=5)
    assert len(many) == len(few)
    assert (last["unread_count"], last["page"], last["more"], last["next"]) == (10, 5, 0, None)
    assert [u["name"] for u in last["unread"]] == ["新学校3", "新学校4"]


def test_a_school_never_sees_a_notice_of_another_district(world, people, client,
                                                          api_client):
    theirs = _publish(people["city"], world["district2"], title="另一区的通报")
    client.force_login(people["admin_a"])
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert "另一区的通报" not in client.get(reverse("records:notices-list")).content.decode()
    assert "另一区的通报" not in client.get(reverse("home")).content.decode()
    api_client.force_authenticate(people["admin_a"])
    assert api_client.get(f"/api/notices/{theirs.pk}/").status_code == 404
    assert not NoticeReceipt.objects.exists()


def test_unread_notices_are_on_the_home_page_until_opened(world, people, client):
    notice = _publish(people["supervisor"], world["district"], title="寒假前安全工作通报")
    old = _publish(people["supervisor"], world["district"], title="很久以前的通报")
    services.update_record(None, old, {"published_on": TODAY - dt.timedelta(days=45)})
    client.force_login(people["guard_a"])
    html = client.get(reverse("home")).content.decode()
    assert "寒假前安全工作通报" in html and notice.get_absolute_url() in html
    assert "很久以前的通报" not in html
    client.get(notice.get_absolute_url())
    assert "寒假前安全工作通报" not in client.get(reverse("home")).content.decode()
    # the publisher's own home page does not ask it to read its notice
    client.force_login(people["supervisor"])
    assert "寒假前安全工作通报" not in client.get(reverse("home")).content.decode()


def test_publishing_outside_ones_subtree_is_refused(world, people):
    with pytest.raises(services.OutOfScope):
        _publish(people["supervisor"], world["district2"])
    assert not Notice.objects.exists()


def test_a_named_unit_outside_the_notices_subtree_is_refused(world, people):
    notice = _publish(people["city"], world["district"])
    ok = services.create_record(people["city"], NoticeUnit, {
        "unit": world["district"], "notice": notice, "named": world["a"],
        "mention": "commended"})
    assert ok.named == world["a"]
    with pytest.raises(ValidationError) as refused:
        services.create_record(people["city"], NoticeUnit, {
            "unit": world["district"], "notice": notice, "named": world["c"],
            "mention": "criticised"})
    assert "丙小学" in refused.value.message_dict["named"][0]
    assert NoticeUnit.objects.count() == 1


def test_named_units_are_read_below_but_changed_above(world, people, client):
    notice = _publish(people["supervisor"], world["district"])
    named = services.create_record(people["supervisor"], NoticeUnit, {
        "unit": world["district"], "notice": notice, "named": world["b"],
        "mention": "criticised", "note": "门卫脱岗"})
    client.force_login(people["admin_a"])
    html = client.get(notice.get_absolute_url()).content.decode()
    assert "门卫脱岗" in html and "Criticised" in html
    assert client.get(reverse("records:notice-units-edit", args=[named.pk])).status_code == 403


def test_a_unit_chosen_in_the_switcher_still_lists_the_notices_from_above(world, people,
                                                                         client):
    _publish(people["supervisor"], world["district"], title="区里的通报")
    _publish(people["city"], world["district2"], title="另一区的通报")
    client.force_login(people["admin_a"])
    session = client.session
    session["unit"] = world["a"].code
    session.save()
    html = client.get(reverse("records:notices-list")).content.decode()
    assert "区里的通报" in html and "另一区的通报" not in html
