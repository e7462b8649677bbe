"""Request id for the audit log, the user's chosen language, sessions that end, and
signed-in pages kept out of caches."""
import re
import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from fangfan.core import context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Tag each request with an id (from X-Request-ID if sane) for audit entries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")  # request.headers: every header
        rid = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        request.id = rid
        token = context.request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class UserLanguageMiddleware:
    """A logged-in user's saved language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """A session ends after SESSION_IDLE_SECONDS without a request, or SESSION_MAX_SECONDS
    after it began, whichever is first (school PCs are shared). The last activity is
    written at most once a minute, so a busy user's clicks do not each write the session
    (Django's SESSION_SAVE_EVERY_REQUEST would); each write also moves the cookie's and
    the stored session's expiry, which is SESSION_COOKIE_AGE = the idle time."""

    STARTED, SEEN, GRAIN = "fangfan_started", "fangfan_seen", 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            self._check(request)
        return self.get_response(request)

    @classmethod
    def start(cls, request) -> None:
        """Stamp a new session at sign-in (user_logged_in), so that its first page does
        not write the session again."""
        if hasattr(request, "session"):
            request.session[cls.STARTED] = request.session[cls.SEEN] = int(time.time())

    def _check(self, request) -> None:
        session, now = request.session, int(time.time())
        started, seen = session.get(self.STARTED), session.get(self.SEEN)
        if started is None or seen is None:  # signed in before this middleware existed
            session[self.STARTED] = session[self.SEEN] = now
        elif (now - seen > settings.SESSION_IDLE_SECONDS
              or now - started > settings.SESSION_MAX_SECONDS):
            logout(request)
        elif now - seen >= self.GRAIN:
            session[self.SEEN] = now


class NoStoreMiddleware:
    """Whatever a signed-in user receives (pages, exports, evidence files, API answers) is
    marked `Cache-Control: no-store`, so neither a shared PC's browser nor a proxy keeps a
    copy after they sign out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
