"""Show only what one may do: for every demo role, every link on every page it reaches
(menu entries, buttons, list and detail links) opens without a 403; the error pages keep
the app's frame with a way back; the menu offers the API documentation to
administrators only; recomputing compliance follows the rule the button follows."""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fangfan.core import registry
from fangfan.core.demo import USERS
from fangfan.core.models import Role, Unit

HREF = re.compile(r'href="([^"#][^"]*)"')
# Links not followed: signing out is a form, static files and the API's JSON are no pages.
SKIP = ("/static/", "/accounts/logout/", "/api/schema/")


@pytest.fixture
def demo(db) -> None:
    call_command("demo")


def _shape(url: str) -> str:
    """One visit per kind of link: record ids and query values do not make a new kind."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query)} - {"page", "sort"})
    return re.sub(r"/\d+/", "/N/", parts.path) + "?" + "&".join(keys)


def _links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in HREF.findall(html)
            if h.startswith("/") and not h.startswith(SKIP)]


def crawl(client: Client, start: str = "/", limit: int = 400) -> dict[str, int]:
    """Follow every same-site link from `start` (GET); the status of one URL per kind."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if _shape(url) in seen:
            continue
        resp = client.get(url)
        seen[_shape(url)] = resp.status_code
        if resp.status_code == 200 and "text/html" in resp.get("Content-Type", ""):
            queue.extend(_links(resp.content.decode()))
    return {shape: status for shape, status in seen.items()}


@pytest.mark.parametrize("username", [u[0] for u in USERS])
def test_no_link_a_role_is_shown_answers_403(demo, username):
    client = Client()
    client.force_login(_user(username))
    statuses = crawl(client)
    assert len(statuses) > 5, statuses  # the crawl did reach pages beyond the home page
    refused = {shape: s for shape, s in statuses.items() if s == 403}
    assert not refused, f"{username} is shown links it may not follow: {refused}"


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_menu_offers_api_docs_to_administrators_only(demo):
    docs = reverse("api-docs")
    for username, *_rest, role, _code in USERS:
        client = Client()
        client.force_login(_user(username))
        html = client.get("/").content.decode()
        shown = f'href="{docs}"' in html
        assert shown == (role in (Role.SYSTEM_ADMIN, Role.UNIT_ADMIN)), username
        # The page itself stays open to every signed-in user, like the API it documents.
        assert client.get(docs).status_code == 200


def test_recompute_is_offered_and_allowed_to_keepers_only(demo):
    url = reverse("compliance-refresh", args=["xinqiao"])
    page = reverse("compliance-unit", args=["xinqiao"]) + "?own=1"
    for username, keeper in [("xinqiao_admin", True), ("xinbei_supervisor", True),
                             ("admin", True), ("xinqiao_principal", False),
                             ("xinbei_auditor", False)]:
        client = Client()
        client.force_login(_user(username))
        assert (f'action="{url}"' in client.get(page).content.decode()) == keeper, username
        assert client.post(url).status_code == (302 if keeper else 403), username


def test_add_body_is_shown_to_those_who_may_add_one(demo):
    page = reverse("duty-matrix-unit", args=["xinqiao"])
    add = reverse("records:bodies-add")
    for username, may in [("xinqiao_admin", True), ("xinqiao_principal", False),
                          ("xinqiao_guard", False), ("xinbei_supervisor", False)]:
        client = Client()
        client.force_login(_user(username))
        assert (f'href="{add}"' in client.get(page).content.decode()) == may, username


@pytest.mark.parametrize("signed_in", [True, False])
def test_error_pages_keep_the_frame_and_a_way_back(demo, settings, signed_in):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(_user("xinqiao_guard"))
    missing = client.get("/no-such-page/", HTTP_REFERER="http://testserver/people/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert 'data-testid="way-back"' in html and 'href="http://testserver/people/"' in html
    if signed_in:
        assert 'class="navbar' in html and f'href="{reverse("home")}"' in html
        refused = client.get(reverse("records:security-budgets-list"))  # nor budgets
        assert refused.status_code == 403
        assert 'data-testid="way-back"' in refused.content.decode()
        assert 'class="navbar' in refused.content.decode()
    else:
        assert f'href="{reverse("login")}"' in html and 'class="navbar' not in html
    # No debugging page: neither the URL patterns tried nor a traceback.
    assert "urlpatterns" not in html and "Traceback" not in html


def test_not_found_record_leaks_nothing(demo, settings):
    settings.DEBUG = False
    other = Unit.objects.get(code="chunjiang")
    rt = registry.get("locations")
    theirs = rt.model.objects.filter(unit=other).first()
    client = Client(raise_request_exception=False)
    client.force_login(_user("xinqiao_admin"))
    resp = client.get(theirs.get_absolute_url())
    assert resp.status_code == 404 and theirs.name not in resp.content.decode()
