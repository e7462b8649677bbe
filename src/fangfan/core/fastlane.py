"""API requests that carry a token take a shorter middleware chain.

A token client (a script, an integration, a phone app) has no browser session: the
session, CSRF, session-user, two-factor session, idle timeout, messages, HTMX and
login-lockout middleware have nothing to do for it, nor has the content security policy
(below), yet each ran on every call (together a tenth of an API read,
docs/benchmarks.md). `fangfan.wsgi` serves such requests through a second Django handler
built from the same `MIDDLEWARE` without those; everything else (metrics, security
headers, the request log and id, languages, body limits, no-store, the frame policy) is
the same. Who the client is, what it may do and in which language it is answered are
decided by DRF's token authentication and the project's permissions exactly as before;
a request with a token the API refuses is refused there."""
from __future__ import annotations

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

BROWSER_ONLY = frozenset({
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "fangfan.core.twofactor.SecondFactorMiddleware",
    "fangfan.core.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # A content security policy tells a browser what a page may load and run. A token
    # client is not a browser (a browser cannot attach the header when it navigates),
    # so nothing it receives is rendered as our page; building the policy was a twentieth
    # of a read.
    "csp.middleware.CSPMiddleware",
})


class TokenApiHandler(WSGIHandler):
    """Django's handler with the middleware of `MIDDLEWARE` but the browser's."""

    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = [m for m in full if m not in BROWSER_ONLY]
        try:  # read once, at start-up, by Django's own loader
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


def carries_token(environ: dict) -> bool:
    return (environ.get("PATH_INFO", "").startswith("/api/")
            and environ.get("HTTP_AUTHORIZATION", "")[:6].lower() == "token ")


def application(full: WSGIHandler):
    """The WSGI application: token API requests to the short chain, the rest to `full`."""
    token_api = TokenApiHandler()

    def serve(environ, start_response):
        handler = token_api if carries_token(environ) else full
        return handler(environ, start_response)

    return serve
