"""ORG-3 responsibility letters: issued down the chain, tracked to signature, overdue after
the deadline; every refusal names its field and saves nothing."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.tests.helpers import refused
from fangfan.organisation.models import Body, Letter, LetterCampaign
from fangfan.resources.models import Person
from fangfan.standards import engine
from fangfan.standards.models import Result


def today():
    """Read per use, not at import: a run crossing midnight (Beijing) stays right."""
    return timezone.localdate()



@pytest.fixture
def campaign(tree):
    return services.create_record(None, LetterCampaign, {
        "unit": tree["district"], "year": today().year, "title": "目标责任书",
        "issued_on": today() - dt.timedelta(days=40), "deadline": today() - dt.timedelta(days=10)})


def letter(unit, campaign, signer, **extra):
    return services.create_record(None, Letter, {
        "unit": unit, "campaign": campaign, "signer": signer,
        "issued_on": campaign.issued_on, **extra})


def test_down_the_chain_and_refusals(tree, campaign):
    head = services.create_record(None, Person, {"unit": tree["a"], "name": "校长"})
    dept = services.create_record(None, Body, {"unit": tree["a"], "kind": "department",
                                               "name": "教务处"})
    first = letter(tree["a"], campaign, head, department=dept)
    assert first.overdue
    message = refused("signed_on", services.update_record, None, first,
                      {"signed_on": campaign.issued_on - dt.timedelta(days=1)})
    assert "before it was issued" in message
    refused("signer", letter, tree["a"], campaign, head, department=dept)  # duplicate
    refused("signer", letter, tree["b"], campaign, head)  # signer of another unit
    own = services.create_record(None, LetterCampaign, {
        "unit": tree["b"], "year": today().year, "title": "乙校责任书", "issued_on": today(),
        "deadline": today()})
    refused("campaign", letter, tree["a"], own, head)  # a sibling's campaign
    refused("deadline", services.create_record, None, LetterCampaign, {
        "unit": tree["a"], "year": 2026, "title": "x", "issued_on": today(),
        "deadline": today() - dt.timedelta(days=1)})
    assert Letter.objects.count() == 1
    services.update_record(None, first, {"signed_on": today()})
    assert not first.overdue


def test_unsigned_letters_after_the_deadline_are_a_gap(tree, campaign, make_user, client):
    head = services.create_record(None, Person, {"unit": tree["a"], "name": "校长"})
    sent = letter(tree["a"], campaign, head)

    def rule():
        engine.evaluate_units([tree["a"].path])
        return Result.objects.get(unit=tree["a"], requirement__urn__endswith=":org-letters")

    assert (rule().status, rule().actual) == ("unmet", 1)
    client.force_login(make_user(Role.SUPERVISOR, tree["district"]))
    url = reverse("records:letters-list")
    html = client.get(url, {"overdue": "true"}).content.decode()
    assert len(re.findall(r'href="/letters/\d+/"', html)) == 1
    principal = make_user(Role.PRINCIPAL, tree["a"])
    services.update_record(principal, sent, {"signed_on": today()})  # the school signs
    assert rule().status == "met"
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert 'id="children-letters"' in page and "校长" in page


def test_campaign_completion_per_unit_of_the_subtree(tree, campaign, make_user, client):
    heads = [services.create_record(None, Person, {"unit": u, "name": f"{u.code}校长"})
             for u in (tree["a"], tree["b"])]
    letter(tree["a"], campaign, heads[0], signed_on=today())
    letter(tree["b"], campaign, heads[1])
    c = campaign.completion()
    assert (c["issued"], c["signed"], c["overdue"], c["rate"]) == (2, 1, 1, 50.0)
    assert [(u["unit__name"], u["rate"]) for u in c["units"]] == [("乙小学", 0.0),
                                                                  ("甲小学", 100.0)]
    client.force_login(make_user(Role.SUPERVISOR, tree["district"]))
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert 'data-testid="completion"' in html and "1 / 2" in html and "50.0%" in html
