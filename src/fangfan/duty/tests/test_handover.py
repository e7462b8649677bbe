"""The handover log (OPS-3): refusals, and open matters carried over to every later
handover of the same post until closed with a note."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.helpers import refused
from fangfan.duty.models import Handover, HandoverItem
from fangfan.duty.tests.helpers import person, post


def handover(unit, giver, taker, at, where=None, **extra) -> Handover:
    return services.create_record(None, Handover, {
        "unit": unit, "post": where, "from_person": giver, "to_person": taker,
        "handed_over_at": at, **extra})


def item(h: Handover, text: str) -> HandoverItem:
    return services.create_record(None, HandoverItem, {"unit": h.unit, "handover": h,
                                                       "text": text})


def test_refusals(tree):
    a = person(tree["a"], "王建国", guard=True)
    now = timezone.now()
    assert "someone else" in refused("to_person", handover, tree["a"], a, a, now)
    b = person(tree["a"], "李卫东", guard=True)
    assert "not ahead of time" in refused("handed_over_at", handover, tree["a"], a, b,
                                          now + dt.timedelta(hours=1))
    handover(tree["a"], a, b, now + dt.timedelta(minutes=2))  # a clock a little fast
    refused("to_person", handover, tree["a"], a, person(tree["b"], "外人"), now)
    assert Handover.objects.count() == 1


def test_open_items_carry_over_until_closed(tree, make_user, client):
    gate, patrol = post(tree["a"]), post(tree["a"], "巡逻岗", "patrol")
    a, b = person(tree["a"], "王建国", guard=True), person(tree["a"], "李卫东", guard=True)
    now = timezone.now()
    first = handover(tree["a"], a, b, now - dt.timedelta(hours=24), gate)
    flicker = item(first, "北门监控画面闪烁")
    item(first, "南门栏杆松动")
    second = handover(tree["a"], b, a, now - dt.timedelta(hours=12), gate)
    other_post = handover(tree["a"], a, b, now - dt.timedelta(hours=11), patrol)
    assert [i.text for i in second.carried_items()] == ["北门监控画面闪烁", "南门栏杆松动"]
    assert list(other_post.carried_items()) == []
    assert list(first.carried_items()) == []

    user = make_user(Role.GUARD, tree["a"])
    client.force_login(user)
    url = second.get_absolute_url()
    assert client.get(url).content.decode().count('data-testid="carried-item"') == 2
    resp = client.post(reverse("duty-close-item", args=[flicker.pk]),
                       {"note": "已更换摄像机电源", "next": url})
    assert resp.status_code == 302 and resp["Location"] == url
    flicker.refresh_from_db()
    assert flicker.closed_at and flicker.closed_note == "已更换摄像机电源"
    third = handover(tree["a"], a, b, timezone.now(), gate)
    assert [i.text for i in third.carried_items()] == ["南门栏杆松动"]
    # The handover it was open at still shows it (as it was then).
    assert [i.text for i in second.carried_items()] == ["北门监控画面闪烁", "南门栏杆松动"]


def test_closing_needs_a_note(tree, unit_admin, client):
    a, b = person(tree["a"], "王建国", guard=True), person(tree["a"], "李卫东", guard=True)
    h = handover(tree["a"], a, b, timezone.now() - dt.timedelta(hours=1))
    matter = item(h, "北门监控画面闪烁")
    assert "how the matter was closed" in refused(
        "closed_note", services.update_record, None, matter, {"closed_at": timezone.now()})
    client.force_login(unit_admin)
    client.post(reverse("duty-close-item", args=[matter.pk]), {"note": ""})
    matter.refresh_from_db()
    assert matter.closed_at is None
