"""The second step of signing in (core.twofactor): set up an authenticator app, enter
its code (or a recovery code), renew the recovery codes."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from fangfan.core import twofactor
from fangfan.core.views import home

# Wrong codes allowed in one session before it is signed out (then the password again,
# which django-axes counts).
MAX_WRONG_CODES = 5


def _next(request) -> str:
    """Where to go once signed in: the page asked for (on this site), never back here."""
    nxt = home.next_url(request, "home")
    return "/" if nxt.startswith("/accounts/2fa/") else nxt


def _code(request) -> str:
    return "".join(request.POST.get("code", "").split())[:16]


@login_required
def setup(request):
    if user_has_device(request.user):
        return redirect("twofactor-status")
    device = twofactor.unconfirmed_device(request.user)
    error = ""
    if request.method == "POST":
        if device.verify_token(_code(request)):
            codes = twofactor.confirm(request.user, device)
            otp_login(request, device)
            return render(request, "core/twofactor_codes.html",
                          {"codes": codes, "next": _next(request)})
        error = _("That code is not right. Enter the six digits the app shows now.")
    return render(request, "core/twofactor_setup.html", {
        "qr": twofactor.qr_svg(device), "secret": twofactor.secret_of(device),
        "error": error, "next": _next(request), "required": twofactor.required(request.user),
    }, status=400 if error else 200)


@login_required
def verify(request):
    if not user_has_device(request.user):
        return redirect("twofactor-setup")
    error = ""
    if request.method == "POST":
        device = match_token(request.user, _code(request))
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                twofactor.recovery_used(request.user)
                messages.warning(request, _("You used a recovery code; each works once."))
            return redirect(_next(request))
        wrong = request.session.get("ff_wrong_codes", 0) + 1
        request.session["ff_wrong_codes"] = wrong
        if wrong >= MAX_WRONG_CODES:
            logout(request)
            messages.error(request, _("Too many wrong codes: sign in again."))
            return redirect("login")
        error = _("That code is not right.")
    return render(request, "core/twofactor_verify.html",
                  {"error": error, "next": _next(request)}, status=400 if error else 200)


@login_required
def status(request):
    return render(request, "core/twofactor_status.html", {
        "enabled": user_has_device(request.user),
        "required": twofactor.required(request.user),
        "codes_left": sum(d.token_set.count() for d in
                          StaticDevice.objects.filter(user=request.user)),
    })


@login_required
@require_POST
def renew_codes(request):
    if not request.user.is_verified():
        return redirect("twofactor-verify")
    codes = twofactor.new_recovery_codes(request.user)
    return render(request, "core/twofactor_codes.html", {"codes": codes, "next": "/"})
