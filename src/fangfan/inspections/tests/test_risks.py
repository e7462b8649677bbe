"""The risk register (安全风险清单, INS-5): the level follows likelihood × impact, an
authority's templates are added to a unit's register with one click, and a review date
becomes work on the home page."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.inspections.notices import Risk, RiskTemplate, risk_level

TODAY = timezone.localdate()


@pytest.mark.parametrize(("likelihood", "impact", "level"), [
    (1, 1, "low"), (2, 2, "low"), (1, 5, "medium"), (3, 3, "medium"), (2, 5, "high"),
    (4, 4, "high"), (4, 5, "major"), (5, 5, "major")])
def test_level_from_likelihood_and_impact(likelihood, impact, level):
    assert risk_level(likelihood, impact) == level


def test_the_level_is_computed_on_every_write(tree):
    risk = services.create_record(None, Risk, {"unit": tree["a"], "risk": "校外人员持械闯入",
                                               "likelihood": 2, "impact": 5})
    assert risk.level == "high"
    services.update_record(None, risk, {"likelihood": 1, "impact": 2})
    risk.refresh_from_db()
    assert risk.level == "low"


def test_a_template_is_added_to_a_schools_register_in_one_click(tree, make_user, client):
    supervisor = make_user(Role.SUPERVISOR, tree["district"])
    template = services.create_record(supervisor, RiskTemplate, {
        "unit": tree["district"], "risk": "上下学时段车辆冲撞人群", "likelihood": 2,
        "impact": 5, "controls": "设置防冲撞设施，护学岗值守"})
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    client.force_login(admin)
    html = client.get(template.get_absolute_url()).content.decode()
    link = html.split('data-action="risks"')[0].rsplit('href="', 1)[1].split('"')[0]
    link = link.replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["template"] == [str(template.pk)] and "unit" not in query
    assert query["risk"] == ["上下学时段车辆冲撞人群"] and query["impact"] == ["5"]
    form = client.get(link).content.decode()
    assert "上下学时段车辆冲撞人群" in form and "设置防冲撞设施" in form
    resp = client.post(reverse("records:risks-add"), {
        "unit": tree["a"].pk, "template": template.pk, "risk": query["risk"][0],
        "likelihood": 2, "impact": 5, "controls": query["controls"][0]})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    risk = Risk.objects.get()
    assert (risk.unit, risk.template, risk.level) == (tree["a"], template, "high")


def test_the_button_is_not_offered_to_those_who_may_not_add_risks(tree, make_user, client):
    template = services.create_record(None, RiskTemplate, {
        "unit": tree["district"], "risk": "校园欺凌", "likelihood": 3, "impact": 3})
    client.force_login(make_user(Role.STAFF, tree["a"]))
    html = client.get(template.get_absolute_url()).content.decode()
    assert 'data-action="risks"' not in html


def test_a_template_of_another_subtree_is_refused(tree):
    template = services.create_record(None, RiskTemplate, {
        "unit": tree["b"], "risk": "校园欺凌", "likelihood": 3, "impact": 3})
    with pytest.raises(ValidationError) as refused:
        services.create_record(None, Risk, {"unit": tree["a"], "template": template,
                                            "risk": "校园欺凌", "likelihood": 3,
                                            "impact": 3})
    assert "template" in refused.value.message_dict
    assert not Risk.objects.exists()


def test_a_review_that_is_due_is_work_on_the_home_page(tree, make_user, client):
    services.create_record(None, Risk, {
        "unit": tree["a"], "risk": "食堂投毒", "likelihood": 1, "impact": 5,
        "review_on": TODAY - dt.timedelta(days=2)})
    services.create_record(None, Risk, {
        "unit": tree["a"], "risk": "远期复核", "likelihood": 1, "impact": 5,
        "review_on": TODAY + dt.timedelta(days=90)})
    client.force_login(make_user(Role.UNIT_ADMIN, tree["a"]))
    html = client.get(reverse("home")).content.decode()
    overdue = html.split('data-section="overdue"')[1]
    assert "食堂投毒" in overdue and "Review the risk" in overdue
    assert "<strong>远期复核</strong>" not in html
