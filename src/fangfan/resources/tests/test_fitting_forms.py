"""Forms that fit the record (issue 8, item 5): the asset form offers only the attributes
of the chosen category and refreshes them when the category changes; a record's page
offers the actions that belong to it, to those who may take them."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from fangfan.core import registry, services
from fangfan.core.forms import form_class
from fangfan.core.models import Role
from fangfan.resources.models import ATTRIBUTES, Asset, Person

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def admin_client(client, unit_admin):
    client.force_login(unit_admin)
    return client


def _names(html: str) -> set[str]:
    return set(re.findall(r'name="([a-z_]+)"', html))


def test_add_form_offers_attributes_only_for_the_chosen_category(tree, admin_client):
    url = reverse("records:assets-add")
    blank = _names(admin_client.get(url).content.decode())
    assert {"category", "name", "status"} <= blank and not blank & set(ATTRIBUTES)
    camera = _names(admin_client.get(url, {"category": "camera"}).content.decode())
    assert camera & set(ATTRIBUTES) == {"night_capable", "identifies_faces", "identifies_plates"}
    page = admin_client.get(url).content.decode()
    assert 'hx-post=""' in page and "form-fields" in page  # the category asks for a refresh


def test_changing_the_category_refreshes_the_fields_keeping_what_was_typed(tree, admin_client):
    resp = admin_client.post(reverse("records:assets-add"), {
        "_refresh": "1", "unit": tree["a"].pk, "category": "recorder", "name": "录像机甲",
        "quantity": "2", "night_capable": "true"}, **HX)
    html = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in html
    assert _names(html) & set(ATTRIBUTES) == {"retention_days", "police_networked"}
    assert 'value="录像机甲"' in html and "invalid-feedback" not in html
    assert not Asset.objects.exists()


def test_edit_to_another_category_drops_the_attributes_it_no_longer_shows(tree, admin_client):
    cam = services.create_record(None, Asset, {"unit": tree["a"], "category": "camera",
                                               "name": "摄像机", "night_capable": True})
    resp = admin_client.post(reverse("records:assets-edit", args=[cam.pk]), {
        "unit": tree["a"].pk, "category": "recorder", "name": "录像机", "quantity": "1",
        "status": "in_service", "retention_days": "30"})
    assert resp.status_code == 302
    cam.refresh_from_db()
    assert (cam.category, cam.night_capable, cam.retention_days) == ("recorder", None, 30)


def test_a_stale_attribute_is_shown_with_its_error(tree, admin_client):
    resp = admin_client.post(reverse("records:assets-add"), {
        "unit": tree["a"].pk, "category": "recorder", "name": "录像机", "quantity": "1",
        "status": "in_service", "night_capable": "true"})
    html = resp.content.decode()
    assert resp.status_code == 400
    assert 'data-field="night_capable"' in html and 'name="night_capable"' in html
    assert not Asset.objects.exists()


@pytest.mark.parametrize("rt", [rt for rt in registry.record_types() if rt.applies_when],
                         ids=lambda rt: rt.slug)
def test_dependent_fields_follow_their_choice(rt):
    """A field shows exactly when its choice has one of its values: in the new form, as
    the choice's default decides, and for each value."""
    form = form_class(rt)()
    shown = {bf.name for bf in form}
    for name, (choice, values) in rt.applies_when.items():
        default = form[choice].value() if choice in form.fields else None
        assert (name in shown) == (str(default or "") in {str(v) for v in values}), name
    for name, (choice, values) in rt.applies_when.items():
        form = form_class(rt)(initial={choice: sorted(values)[0]})
        assert name in {bf.name for bf in form}


def _actions(client, obj) -> set[str]:
    html = client.get(obj.get_absolute_url()).content.decode()
    return set(re.findall(r'data-action="([a-z-]+)"', html))


def test_detail_pages_offer_the_actions_that_belong_to_the_record(tree, admin_client,
                                                                  make_user, client):
    cam = services.create_record(None, Asset, {"unit": tree["a"], "category": "camera"})
    alarm = services.create_record(None, Asset, {"unit": tree["a"],
                                                 "category": "one_key_alarm"})
    seal = services.create_record(None, Asset, {"unit": tree["a"], "category": "seal"})
    person = services.create_record(None, Person, {"unit": tree["a"], "name": "王晓明"})
    assert _actions(admin_client, cam) == {"faults", "maintenance"}
    assert _actions(admin_client, alarm) == {"faults", "alarm-tests", "maintenance"}
    assert _actions(admin_client, seal) == {"maintenance"}
    assert _actions(admin_client, person) == {"certificates", "background-checks"}
    html = admin_client.get(alarm.get_absolute_url()).content.decode()
    assert f'/alarm-tests/add/?asset={alarm.pk}&amp;unit={tree["a"].pk}' in html
    assert "Record an alarm test" in html
    client.force_login(make_user(Role.SUPERVISOR, tree["district"]))  # reads only
    assert _actions(client, alarm) == set()


def test_the_prefilled_form_has_the_record_chosen(tree, admin_client):
    cam = services.create_record(None, Asset, {"unit": tree["a"], "category": "camera"})
    html = admin_client.get(reverse("records:faults-add"),
                            {"asset": cam.pk, "unit": tree["a"].pk}).content.decode()
    assert f'<option value="{cam.pk}" selected>' in html


def test_detail_page_shows_only_the_attributes_of_the_category(tree, admin_client):
    alarm = services.create_record(None, Asset, {"unit": tree["a"], "category": "one_key_alarm",
                                                 "police_networked": True})
    html = admin_client.get(alarm.get_absolute_url()).content.decode()
    assert "Networked to police" in html
    assert "Retention days" not in html and "Identifies faces" not in html


def test_an_action_link_shows_the_unit_code_where_the_unit_is_typed(tree, admin_client,
                                                                     monkeypatch):
    from fangfan.core import forms

    monkeypatch.setattr(forms, "UNIT_CHOICE_LIMIT", 0)  # as at province scale: a code box
    cam = services.create_record(None, Asset, {"unit": tree["a"], "category": "camera"})
    html = admin_client.get(reverse("records:faults-add"),
                            {"asset": cam.pk, "unit": tree["a"].pk}).content.decode()
    assert re.search(r'<input type="text" name="unit" value="school-a"', html), html


def test_a_negative_distance_is_refused(tree):
    """Baggage storage's distance to the key locations (R-BAG) cannot be below zero."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.create_record(None, Asset, {"unit": tree["a"], "category": "baggage_storage",
                                             "name": "行包寄存柜", "distance_to_key_m": -1})
    assert "distance_to_key_m" in refused.value.message_dict
    assert not Asset.objects.exists()
