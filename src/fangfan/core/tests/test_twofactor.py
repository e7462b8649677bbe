"""Two-factor sign-in (issue 13): required for supervisors and system administrators,
set up with an authenticator app, asked at each sign-in, recovery codes that work once,
reset by an administrator; pages and the session API closed until it is done; audited."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangfan.core import twofactor
from fangfan.core.models import AuditEntry, Role

PASSWORD = "pw-long-enough-1"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.FANGFAN_TWO_FACTOR_ROLES = ("system_admin", "supervisor")
    # django-otp makes a device wait (1 s, doubling) after a wrong code; the tests type
    # the right one at once. The session's own limit of wrong codes stays in force.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _login(client, user):
    resp = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302
    return resp


def _code(device: TOTPDevice, drift: int = 0) -> str:
    """The app's code now (drift 0), or the next one (a code is refused once used)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                drift=drift)
    return f"{code:06d}"


def _set_up(client, user) -> list[str]:
    client.get(reverse("twofactor-setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    resp = client.post(reverse("twofactor-setup"), {"code": _code(device), "next": "/"})
    assert resp.status_code == 200
    html = resp.content.decode()
    return [c for c in html.split('data-testid="recovery-codes">')[1].split("</ul>")[0]
            .replace("<li>", " ").replace("</li>", " ").split()]


def test_supervisor_must_set_it_up_before_anything_else(tree, make_user, client):
    sup = make_user(Role.SUPERVISOR, tree["district"])
    _login(client, sup)
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith(reverse("twofactor-setup"))
    assert client.get("/api/locations/").status_code == 403
    page = client.get(reverse("twofactor-setup")).content.decode()
    assert "<svg" in page and 'data-testid="secret"' in page
    wrong = client.post(reverse("twofactor-setup"), {"code": "000000"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.filter(confirmed=True).exists()
    codes = _set_up(client, sup)
    assert len(codes) == twofactor.RECOVERY_CODES
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(record_type="core.user", record_id=str(sup.pk),
                                     after__second_factor="enabled").exists()


def test_each_sign_in_asks_the_code_and_a_recovery_code_works_once(tree, make_user, client):
    sup = make_user(Role.SUPERVISOR, tree["district"])
    _login(client, sup)
    codes = _set_up(client, sup)
    client.post(reverse("logout"))
    _login(client, sup)
    resp = client.get("/people/")
    assert resp["Location"].startswith(reverse("twofactor-verify"))
    assert client.post(reverse("twofactor-verify"), {"code": "123456"}).status_code == 400
    resp = client.post(reverse("twofactor-verify"), {"code": codes[0], "next": "/people/"})
    assert resp.status_code == 302 and resp["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    client.post(reverse("logout"))
    _login(client, sup)
    assert client.post(reverse("twofactor-verify"), {"code": codes[0]}).status_code == 400
    device = TOTPDevice.objects.get(user=sup)
    assert client.post(reverse("twofactor-verify"), {"code": _code(device)}).status_code == 400
    assert client.post(reverse("twofactor-verify"),
                       {"code": _code(device, drift=1)}).status_code == 302


def test_too_many_wrong_codes_sign_the_session_out(tree, make_user, client):
    sup = make_user(Role.SUPERVISOR, tree["district"])
    _login(client, sup)
    _set_up(client, sup)
    client.post(reverse("logout"))
    _login(client, sup)
    for _ in range(5):
        resp = client.post(reverse("twofactor-verify"), {"code": "999999"})
    assert resp.status_code == 302 and resp["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_optional_for_staff_and_reset_by_an_administrator(tree, make_user, client):
    teacher = make_user(Role.STAFF, tree["a"])
    _login(client, teacher)
    assert client.get("/").status_code == 200  # not required
    _set_up(client, teacher)  # but available
    client.post(reverse("logout"))
    _login(client, teacher)
    assert client.get("/")["Location"].startswith(reverse("twofactor-verify"))
    admin = make_user(Role.SYSTEM_ADMIN, tree["city"])
    twofactor.reset(admin, teacher)
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(after__second_factor="reset", actor=admin).exists()


def test_the_audit_log_reads_the_events(tree, make_user, client):
    from fangfan.core import audit

    sup = make_user(Role.SUPERVISOR, tree["district"])
    _login(client, sup)
    _set_up(client, sup)
    shown = audit.present([AuditEntry.objects.filter(after__second_factor="enabled").get()])
    change = shown[0].changes[0]
    assert (str(change.label), change.after) == ("Two-factor sign-in", "set up")


def test_reset_from_the_command_line(tree, make_user, client):
    from django.core.management import call_command

    sup = make_user(Role.SUPERVISOR, tree["district"])
    _login(client, sup)
    _set_up(client, sup)
    call_command("twofactor", "reset", sup.username)
    assert not TOTPDevice.objects.filter(user=sup).exists()
    client.post(reverse("logout"))
    _login(client, sup)
    assert client.get("/")["Location"].startswith(reverse("twofactor-setup"))


def test_an_api_token_needs_the_second_factor_too(tree, make_user, client, api_client):
    sup = make_user(Role.SUPERVISOR, tree["district"])
    creds = {"username": sup.username, "password": PASSWORD}
    refused = api_client.post("/api/auth/token/", creds, format="json")
    assert refused.status_code == 400 and "otp" in refused.json()  # not set up yet
    _login(client, sup)
    _set_up(client, sup)
    assert api_client.post("/api/auth/token/", creds, format="json").status_code == 400
    device = TOTPDevice.objects.get(user=sup)
    resp = api_client.post("/api/auth/token/", {**creds, "otp": _code(device, drift=1)},
                           format="json")
    assert resp.status_code == 200 and resp.json()["token"]


def test_a_session_without_a_second_step_costs_no_device_query(tree, make_user, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, make_user(Role.STAFF, tree["a"]))
    with CaptureQueriesContext(connection) as page:
        assert client.get("/").status_code == 200
    assert not [q for q in page.captured_queries if "otp_" in q["sql"]]
