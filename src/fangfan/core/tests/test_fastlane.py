"""Token API requests take the short middleware chain (core.fastlane) and are answered
as the whole chain answers them; every other request takes the whole chain."""
from __future__ import annotations

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from fangfan.core import fastlane
from fangfan.core.authentication import issue_token
from fangfan.core.models import Role
from fangfan.resources.models import Person


@pytest.fixture
def wsgi():
    """Call the project's WSGI application as gunicorn does, inside the test's
    transaction: as Django's test client does, the request does not close the test's
    connection (on PostgreSQL, Django closes one left outside autocommit)."""
    app = fastlane.application(WSGIHandler())

    def call(path: str, **headers: str) -> tuple[str, dict, bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return _call(path, **headers)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    def _call(path: str, **headers: str) -> tuple[str, dict, bytes]:
        environ = {"PATH_INFO": path, "HTTP_HOST": "127.0.0.1",
                   "wsgi.input": io.BytesIO(b"")}
        environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
        setup_testing_defaults(environ)
        answer: dict = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"], answer["headers"] = status, dict(response_headers)

        body = b"".join(app(environ, start_response))
        return answer["status"], answer["headers"], body

    return call


def test_browser_only_middleware_are_all_in_the_chain():
    assert fastlane.BROWSER_ONLY <= set(settings.MIDDLEWARE)
    short = fastlane.TokenApiHandler()
    names = {type(m).__module__ + "." + type(m).__name__ for m in _chain(short)}
    assert not names & fastlane.BROWSER_ONLY
    assert "fangfan.core.middleware.NoStoreMiddleware" in names
    assert "fangfan.core.limits.BodyLimitMiddleware" in names
    assert len(names) == len(settings.MIDDLEWARE) - len(fastlane.BROWSER_ONLY)


def _chain(handler) -> list:
    """The middleware instances of a loaded handler, outermost first (each is wrapped by
    Django's exception converter, which keeps it as `__wrapped__`)."""
    found, current = [], handler._middleware_chain
    while (middleware := getattr(current, "__wrapped__", None)) is not None:
        if not hasattr(middleware, "get_response"):
            return found  # the view-calling end of the chain
        found.append(middleware)
        current = middleware.get_response
    return found


def test_a_token_request_is_answered_as_by_the_whole_chain(tree, make_user, client, wsgi):
    from fangfan.core import services

    user = make_user(Role.UNIT_ADMIN, tree["a"])
    for name in ("甲", "乙"):
        services.create_record(None, Person, {"unit": tree["a"], "name": name})
    _stored, token = issue_token(user)
    status, headers, body = wsgi("/api/people/", authorization=f"Token {token}")
    whole = client.get("/api/people/", HTTP_AUTHORIZATION=f"Token {token}")
    assert status.startswith("200") and whole.status_code == 200
    assert json.loads(body) == whole.json() and json.loads(body)["count"] == 2
    assert "no-store" in headers["Cache-Control"]  # signed in: kept out of caches
    assert "Set-Cookie" not in headers and "Cookie" not in headers.get("Vary", "")
    status, _headers, body = wsgi("/api/people/", authorization="Token wrong")
    assert status.startswith("401") and b"token" in body.lower()


def test_other_requests_take_the_whole_chain(wsgi):
    assert not fastlane.carries_token({"PATH_INFO": "/api/people/"})
    assert not fastlane.carries_token({"PATH_INFO": "/people/",
                                       "HTTP_AUTHORIZATION": "Token x"})
    status, headers, _body = wsgi("/accounts/login/")
    assert status.startswith("200") and "csrftoken" in headers.get("Set-Cookie", "")
