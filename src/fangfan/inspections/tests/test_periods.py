"""Sensitive periods (敏感时期, STD-4): declared by an authority for its subtree, on each
unit's home page from a week before to the end, with the special inspection to start
(gone once one is recorded) and the leaders on duty to arrange."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.inspections.models import Inspection
from fangfan.inspections.notices import SensitivePeriod

TODAY = timezone.localdate()


def _period(unit, name="元旦敏感时期", starts=3, days=5, **extra) -> SensitivePeriod:
    start = TODAY + dt.timedelta(days=starts)
    return services.create_record(None, SensitivePeriod, {
        "unit": unit, "name": name, "starts_on": start,
        "ends_on": start + dt.timedelta(days=days), **extra})


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_a_coming_period_asks_for_the_special_inspection_and_leaders(tree, make_user,
                                                                     client):
    period = _period(tree["district"])
    html = _home(client, make_user(Role.UNIT_ADMIN, tree["a"]))
    assert "Special inspection for 元旦敏感时期" in html
    assert f"/records/inspections/new/?unit={tree['a'].pk}&amp;kind=special" in html \
        or f"?unit={tree['a'].pk}&amp;kind=special" in html
    assert "Start the special inspection" in html
    assert "Arrange leaders on duty for 元旦敏感时期" in html
    assert period.get_absolute_url() in html


def test_the_special_inspection_item_goes_once_one_is_recorded(tree, make_user, client):
    _period(tree["district"], starts=-2)
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    html = _home(client, admin)
    assert "Special inspection for 元旦敏感时期" in html.split('data-section="overdue"')[1]
    services.create_record(admin, Inspection, {"unit": tree["a"], "kind": "special",
                                               "inspected_on": TODAY,
                                               "inspectors": "郭建刚"})
    html = _home(client, admin)
    assert "Special inspection for 元旦敏感时期" not in html
    assert "Arrange leaders on duty for 元旦敏感时期" in html


def test_an_inspection_of_another_kind_does_not_count(tree, make_user, client):
    _period(tree["district"], starts=-2)
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    services.create_record(admin, Inspection, {"unit": tree["a"], "kind": "self",
                                               "inspected_on": TODAY, "inspectors": "郭建刚"})
    assert "Special inspection for 元旦敏感时期" in _home(client, admin)


def test_only_what_is_required_is_asked(tree, make_user, client):
    _period(tree["district"], special_inspection=False, leaders_on_duty=True)
    html = _home(client, make_user(Role.PRINCIPAL, tree["a"]))
    assert "Special inspection for" not in html
    assert "Arrange leaders on duty for 元旦敏感时期" in html


def test_those_who_do_neither_see_that_the_period_is_on(tree, make_user, client):
    _period(tree["district"])
    html = _home(client, make_user(Role.GUARD, tree["a"]))
    assert "Sensitive period: 元旦敏感时期" in html
    assert "Start the special inspection" not in html


@pytest.mark.parametrize(("starts", "days"), [(8, 3), (-10, 5)])
def test_outside_the_week_before_and_the_period_nothing_shows(tree, make_user, client,
                                                              starts, days):
    _period(tree["district"], starts=starts, days=days)
    assert "元旦敏感时期" not in _home(client, make_user(Role.UNIT_ADMIN, tree["a"]))


def test_a_period_of_another_district_is_not_seen(tree, make_user, client):
    other = services.create_unit(None, {"parent": tree["city"], "code": "district-2",
                                        "name": "另一区教育局", "kind": "education_bureau"})
    _period(other, name="另一区的敏感时期")
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    assert "另一区的敏感时期" not in _home(client, admin)
    assert "另一区的敏感时期" not in client.get(
        reverse("records:sensitive-periods-list")).content.decode()


def test_the_authority_is_reminded_of_its_leaders_not_asked_to_inspect_itself(
        tree, make_user, client):
    _period(tree["city"], name="全市敏感时期")
    html = _home(client, make_user(Role.SUPERVISOR, tree["district"]))
    assert "Arrange leaders on duty for 全市敏感时期" in html
    assert "Special inspection for 全市敏感时期" not in html


def test_a_period_ends_after_it_starts(tree):
    with pytest.raises(ValidationError) as refused:
        _period(tree["district"], days=-1)
    assert "ends_on" in refused.value.message_dict
