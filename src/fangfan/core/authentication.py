"""How a client proves who it is, and how guessing is slowed down.

API tokens are django-rest-knox tokens rather than DRF's own: knox stores only a hash (a
copied database or backup hands out no working token), gives each client its own token
with an expiry, and deletes an expired one when it is presented. What knox leaves to the
project is done here: revoking every token of a user whose password changed (by any path
that calls `set_password`, see `User.save`), and one address rule shared by the login
lockout and the throttles.
"""
from __future__ import annotations

import binascii
from hmac import compare_digest

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from fangfan.core import permissions
from fangfan.core.prepared import Prepared


def issue_token(user) -> tuple[AuthToken, str]:
    """A new token for the user. Expired tokens are dropped, and beyond
    REST_KNOX["TOKEN_LIMIT_PER_USER"] the oldest go, so a client that asks for a token on
    every run cannot grow the table without end."""
    from django.utils import timezone
    from knox.settings import knox_settings

    tokens = AuthToken.objects.filter(user=user)
    tokens.filter(expiry__lt=timezone.now()).delete()
    keep = knox_settings.TOKEN_LIMIT_PER_USER - 1
    stale = list(tokens.order_by("-created").values_list("digest", flat=True)[keep:])
    if stale:
        AuthToken.objects.filter(digest__in=stale).delete()
    return AuthToken.objects.create(user)


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check without its sweep of the user's other tokens on every request.

    knox reads all the user's tokens on each request to delete the expired ones: a query
    per API call for housekeeping (8-11 % of a request, docs/benchmarks.md). Here the
    presented token alone is checked (expired: deleted and refused, as knox does); the
    others' expired tokens go when the user is issued a new one (`issue_token`) and in
    the nightly `purge_expired_tokens`."""

    def authenticate_credentials(self, token: bytes):
        """knox's check of the presented token, its row and user read by a query
        compiled once (`_TOKEN`, core.prepared: a fifth of a list request was Django
        compiling this query again)."""
        refused = AuthenticationFailed(_("Invalid token."))
        try:
            token = token.decode("utf-8")
        except UnicodeDecodeError:
            raise refused from None
        for auth_token in _tokens(token[:CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise refused from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise refused

    def _cleanup_token(self, auth_token) -> bool:
        from django.utils import timezone

        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


_TOKEN_FIELDS = [f.attname for f in AuthToken._meta.concrete_fields]
_USER_FIELDS = [f.attname for f in get_user_model()._meta.concrete_fields]
_DIGEST = _TOKEN_FIELDS.index("digest")  # the key of a token
# The token, its user and the user's role grants (one row per grant, or one without):
# the grants were a query of their own on every request, a round trip to the database.
_TOKEN = Prepared(
    lambda key: AuthToken.objects.filter(token_key=key).values_list(
        *_TOKEN_FIELDS, *(f"user__{name}" for name in _USER_FIELDS),
        "user__grants__role", "user__grants__unit__path"),
    "\x00token-key\x00")


def _tokens(key: str) -> list[AuthToken]:
    """The tokens stored under the key (the first characters of the token), each with
    its user, as knox's `filter(token_key=…).select_related("user")` gives them; the
    user carries its role grants (`permissions.grants`), read in the same query."""
    n, m = len(_TOKEN_FIELDS), len(_TOKEN_FIELDS) + len(_USER_FIELDS)
    found: dict[str, AuthToken] = {}
    for row in _TOKEN.rows(key):
        token = found.get(row[_DIGEST])
        if token is None:
            token = found[row[_DIGEST]] = AuthToken.from_db("default", _TOKEN_FIELDS, row[:n])
            token.user = get_user_model().from_db("default", _USER_FIELDS, row[n:m])
            permissions.know_grants(token.user, [])
        if row[m] is not None:
            permissions.grants(token.user).append((row[m], row[m + 1]))
    return list(found.values())


class TokenScheme(KnoxTokenScheme):
    """The schema documents the subclass as knox's token scheme (drf-spectacular matches
    an authentication class exactly)."""

    target_class = "fangfan.core.authentication.TokenAuthentication"


def purge_expired_tokens() -> int:
    """Delete every expired token (they are refused anyway; this keeps the table small)."""
    from django.utils import timezone

    deleted, _per_model = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


def revoke_tokens(user) -> int:
    """Delete every API token of the user (password changed, or "sign out everywhere")."""
    deleted, _per_model = AuthToken.objects.filter(user=user).delete()
    return deleted


def client_address(request) -> str:
    """The client's address as counted by the login lockout and the throttles: the
    address the outermost of `FANGFAN_PROXY_COUNT` proxies saw (DRF's rule, NUM_PROXIES)."""
    return BaseThrottle().get_ident(request)


class TokenThrottle(SimpleRateThrottle):
    """Token requests per client address, signed in or not, counted in the shared cache
    (the database or Redis), so every server process sees the same count."""

    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _group_name(group) -> str:
    return group if isinstance(group, str) else "+".join(group)


class LockoutHandler(AxesDatabaseHandler):
    """django-axes with a limit per lockout group: AXES_FAILURE_LIMIT for a user name at
    an address, AXES_ADDRESS_FAILURE_LIMIT for an address trying any names. Axes itself
    compares every group with one limit, so each group's count is scaled to it."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = get_failure_limit(request, credentials)
        limits = {"ip_address": settings.AXES_ADDRESS_FAILURE_LIMIT}
        groups = get_lockout_parameters(request, credentials)
        worst = 0
        for group, attempts in zip(groups, self.get_user_attempts(request, credentials),
                                   strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, failures * limit // limits.get(_group_name(group), limit))
        return worst
