"""Two-factor sign-in (issue 13): a time-based one-time code (TOTP, any authenticator
app) after the password, required for the roles that see or change the most (system
administrators and supervisors, `FANGFAN_TWO_FACTOR_ROLES`), optional for everyone else,
with single-use recovery codes for a lost phone.

django-otp keeps the devices (TOTP and static recovery codes) and marks a session as
verified; this module decides who must use it and sends an unverified session to the
page that completes it. Every set-up, recovery-code use and reset is audited."""
from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import serializers

from fangfan.core import audit, permissions
from fangfan.core.models import RoleGrant
from fangfan.core.models.audit import AuditAction

RECOVERY_CODES = 10
# Pages an unverified session may still open: completing the second step, leaving, the
# language switch, and static files.
OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/login/", "/language/",
                 "/static/")


def required(user) -> bool:
    """Must this user sign in with a second factor?"""
    roles = set(getattr(settings, "FANGFAN_TWO_FACTOR_ROLES", ()))
    if not roles:
        return False
    if user.is_superuser:
        return True
    return any(role in roles for role, _path in permissions.grants(user))


# Marks a session that signed in needing no second step (no device, not required), so
# that most of a school's staff do not cost a device query on every request. Set at
# sign-in, it lasts as long as the session (at most SESSION_MAX_SECONDS).
CLEAR = "fangfan_2fa_clear"


def mark_session(request, user) -> None:
    """At sign-in: remember when this session will never be asked for a second step."""
    if not user_has_device(user) and not required(user):
        request.session[CLEAR] = True


def pending(user) -> str | None:
    """What the session still has to do: "verify" (a device exists), "setup" (required,
    none yet), or None."""
    if not user.is_authenticated or user.is_verified():
        return None
    if user_has_device(user):
        return "verify"
    return "setup" if required(user) else None


class SecondFactorMiddleware:
    """Sends a signed-in but unverified session to the second step before anything else
    (after django_otp's OTPMiddleware). The API answers 403 to such a session; token
    clients authenticate per request and are not concerned here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = None
        session = getattr(request, "session", {})
        if not request.path.startswith(OPEN_PREFIXES) and not session.get(CLEAR):
            step = pending(request.user)
        if step is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Complete the two-factor sign-in first.")},
                                status=403)
        target = reverse("twofactor-verify" if step == "verify" else "twofactor-setup")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def check_token_request(user, data) -> None:
    """An API token is a sign-in too: whoever signs in with a second factor sends its
    current code as `otp`; whoever must have one and has not set it up gets no token."""
    if user_has_device(user):
        code = "".join(str(data.get("otp", "")).split())[:16]
        device = match_token(user, code) if code else None
        if device is None:
            raise serializers.ValidationError(
                {"otp": [_("Send the code of your authenticator app as “otp”.")]})
        if isinstance(device, StaticDevice):
            recovery_used(user)
    elif required(user):
        raise serializers.ValidationError(
            {"otp": [_("Set up two-factor sign-in in the browser first.")]})


def unconfirmed_device(user) -> TOTPDevice:
    """The authenticator being set up (one per user until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"),
                                               confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key as people type it into an app that cannot scan."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG, drawn here (no image service, no CDN)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


@transaction.atomic
def confirm(user, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator, replace the recovery codes; return the new codes."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(user)
    _audit(user, "enabled")
    return codes


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("Recovery codes"))
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@transaction.atomic
def reset(actor, user) -> None:
    """Remove a user's second factor (a lost phone); they set it up again at sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _audit(actor, "reset", user)


def recovery_used(user) -> None:
    with transaction.atomic():
        _audit(user, "recovery_code_used")


def _audit(actor, event: str, user=None) -> None:
    user = user or actor
    path = RoleGrant.objects.filter(user=user).values_list("unit_path", flat=True).first()
    audit.record(actor, user, AuditAction.UPDATE, None, {"second_factor": event}, path or "")
