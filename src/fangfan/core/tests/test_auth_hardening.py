"""Issue 13: tokens that expire and are revoked, throttles shared between processes,
lockout by address, sessions that end, API docs for signed-in users, user name rules,
no-store on what signed-in users receive, a secret key kept in the data directory."""
from __future__ import annotations

import os
import socket
import stat
import struct
import subprocess
import sys
import uuid
import zlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from fangfan.core import accounts
from fangfan.core.middleware import SessionTimeoutMiddleware
from fangfan.core.models import Role, User
from fangfan.core.models.users import validate_username

PASSWORD = "pw-long-enough-1"
TOKEN_URL = "/api/auth/token/"


def _token(api_client, user) -> str:
    resp = api_client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD},
                           format="json")
    assert resp.status_code == 200, resp.content
    return resp.json()["token"]


def _reads(api_client, token: str) -> int:
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api_client.get("/api/locations/").status_code


# --- tokens -------------------------------------------------------------------------


def test_token_expires_after_its_lifetime(tree, unit_admin, api_client, settings):
    token = _token(api_client, unit_admin)
    row = AuthToken.objects.get(user=unit_admin)
    assert abs(row.expiry - row.created - timedelta(days=30)) < timedelta(minutes=1)
    assert _reads(api_client, token) == 200
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert _reads(api_client, token) == 401
    assert not AuthToken.objects.filter(user=unit_admin).exists()


def test_a_request_checks_its_own_token_only_and_the_night_purges_the_rest(
        tree, unit_admin, api_client, django_assert_max_num_queries):
    """knox swept all the user's tokens on every request; here one query finds the token
    and its user, and the nightly job deletes the expired ones nobody presents."""
    from fangfan.core import tasks

    old, token = _token(api_client, unit_admin), _token(api_client, unit_admin)
    from knox.settings import CONSTANTS

    assert AuthToken.objects.filter(token_key=old[:CONSTANTS.TOKEN_KEY_LENGTH]).update(
        expiry=timezone.now() - timedelta(days=1)) == 1
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with django_assert_max_num_queries(20) as counted:
        assert api_client.get("/api/locations/").status_code == 200
    assert sum("knox_authtoken" in q["sql"] for q in counted.captured_queries) == 1
    assert AuthToken.objects.filter(user=unit_admin).count() == 2  # not swept per request
    assert tasks.purge_expired_tokens.call_local() == 1
    assert AuthToken.objects.filter(user=unit_admin).count() == 1
    assert _reads(api_client, token) == 200


def test_tokens_are_stored_hashed(tree, unit_admin, api_client):
    token = _token(api_client, unit_admin)
    row = AuthToken.objects.get(user=unit_admin)
    assert token not in row.digest and len(row.digest) == 128


def test_user_revokes_the_token_they_send_or_all_of_them(tree, unit_admin, api_client):
    first, second, third = (_token(api_client, unit_admin) for _ in range(3))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api_client.delete(TOKEN_URL).status_code == 204
    assert _reads(api_client, first) == 401
    assert _reads(api_client, second) == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert api_client.delete(TOKEN_URL + "?all=1").status_code == 204
    assert _reads(api_client, second) == 401 and _reads(api_client, third) == 401


def test_revoke_needs_a_token_or_session(db, api_client):
    assert api_client.delete(TOKEN_URL).status_code == 401


def test_tokens_per_user_are_capped(tree, unit_admin, api_client, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 3}
    tokens = [_token(api_client, unit_admin) for _ in range(4)]
    assert AuthToken.objects.filter(user=unit_admin).count() == 3
    assert _reads(api_client, tokens[0]) == 401 and _reads(api_client, tokens[-1]) == 200


def test_password_set_on_the_accounts_page_revokes_tokens(tree, unit_admin, make_user,
                                                          api_client, client):
    guard = make_user(Role.GUARD, tree["a"])
    token = _token(api_client, guard)
    client.force_login(unit_admin)
    resp = client.post(reverse("account-password", args=[guard.pk]),
                       {"password": "another-long-pw-2"})
    assert resp.status_code == 302
    assert _reads(api_client, token) == 401


def test_any_password_change_revokes_tokens_but_other_saves_do_not(tree, unit_admin,
                                                                   api_client):
    token = _token(api_client, unit_admin)
    unit_admin.first_name = "改名"
    unit_admin.save()
    assert _reads(api_client, token) == 200
    user = User.objects.get(pk=unit_admin.pk)
    user.set_password("another-long-pw-2")
    user.save()
    assert _reads(api_client, token) == 401


# --- throttles shared between processes ---------------------------------------------

THROTTLE_SCRIPT = """
import sys, django
django.setup()
from django.test import RequestFactory
from fangfan.core.authentication import TokenThrottle
request = RequestFactory().post("/api/auth/token/", REMOTE_ADDR=sys.argv[2])
print(sum(TokenThrottle().allow_request(request, None) for _ in range(int(sys.argv[1]))))
"""


def _redis_up() -> bool:
    try:
        import redis  # noqa: F401
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except (ImportError, OSError):
        return False
    return True


@pytest.mark.parametrize("store", ["database", "redis"])
def test_token_throttle_is_shared_between_two_processes(tmp_path, store):
    """Two server processes: the first uses up the address's ten requests a minute, the
    second is refused at once. A per-process count would let it through."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(FANGFAN_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="fangfan.settings")
    if store == "redis":
        if not _redis_up():
            pytest.skip("no Redis at 127.0.0.1:6379")
        env["FANGFAN_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    else:
        env.pop("FANGFAN_REDIS_URL", None)
        # The cache table comes with `migrate`, like every other table.
        subprocess.run([sys.executable, "-m", "fangfan", "migrate", "-v0"], env=env,
                       check=True, capture_output=True)
    n = uuid.uuid4().int
    address = f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250}"  # fresh in Redis too

    def allowed(times: int) -> int:
        proc = subprocess.run([sys.executable, "-c", THROTTLE_SCRIPT, str(times), address],
                              env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return int(proc.stdout.strip().splitlines()[-1])

    assert allowed(10) == 10
    assert allowed(1) == 0


def test_token_endpoint_answers_429_when_throttled(tree, unit_admin, api_client):
    for _ in range(10):
        api_client.post(TOKEN_URL, {"username": "nobody", "password": "x"}, format="json")
    resp = api_client.post(TOKEN_URL, {"username": unit_admin.username,
                                       "password": PASSWORD}, format="json")
    assert resp.status_code == 429 and "token" not in resp.json()


# --- login lockout by address -------------------------------------------------------


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=8)
def test_one_address_trying_many_user_names_is_locked(tree, unit_admin, client):
    url = reverse("login")
    for i in range(6):  # more than the per-name limit of 5, fewer than the address's 8
        client.post(url, {"username": f"guess-{i}", "password": "wrong"},
                    REMOTE_ADDR="203.0.113.7")
    ok = client.post(url, {"username": unit_admin.username, "password": PASSWORD},
                     REMOTE_ADDR="203.0.113.7")
    assert ok.status_code == 302
    client.logout()
    for i in range(6, 14):
        client.post(url, {"username": f"guess-{i}", "password": "wrong"},
                    REMOTE_ADDR="203.0.113.7")
    locked = client.post(url, {"username": unit_admin.username, "password": PASSWORD},
                         REMOTE_ADDR="203.0.113.7")
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    elsewhere = client.post(url, {"username": unit_admin.username, "password": PASSWORD},
                            REMOTE_ADDR="203.0.113.8")
    assert elsewhere.status_code == 302


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=6)
def test_token_endpoint_shares_the_address_lockout(tree, unit_admin, api_client):
    for i in range(6):
        api_client.post(TOKEN_URL, {"username": f"guess-{i}", "password": "x"},
                        format="json", REMOTE_ADDR="203.0.113.9")
    resp = api_client.post(TOKEN_URL, {"username": unit_admin.username,
                                       "password": PASSWORD}, format="json",
                           REMOTE_ADDR="203.0.113.9")
    assert resp.status_code == 400 and "token" not in resp.json()
    assert not AuthToken.objects.exists()


# --- sessions -----------------------------------------------------------------------


@pytest.mark.parametrize("key", [SessionTimeoutMiddleware.SEEN,
                                 SessionTimeoutMiddleware.STARTED])
def test_session_ends_when_idle_or_too_old(tree, unit_admin, client, settings, key):
    client.force_login(unit_admin)
    assert client.get("/").status_code == 200
    session = client.session
    limit = (settings.SESSION_IDLE_SECONDS if key == SessionTimeoutMiddleware.SEEN
             else settings.SESSION_MAX_SECONDS)
    session[key] -= limit + 1
    session.save()
    resp = client.get("/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")


def test_signing_in_stamps_the_session_and_pages_rewrite_it_once_a_minute(tree, unit_admin,
                                                                          client):
    client.post(reverse("login"), {"username": unit_admin.username, "password": PASSWORD})
    stamped = client.session[SessionTimeoutMiddleware.SEEN]
    assert client.session[SessionTimeoutMiddleware.STARTED] == stamped
    session = client.session
    session[SessionTimeoutMiddleware.SEEN] = stamped - 30
    session.save()
    client.get("/")
    assert client.session[SessionTimeoutMiddleware.SEEN] == stamped - 30  # not written
    session = client.session
    session[SessionTimeoutMiddleware.SEEN] = stamped - 90
    session.save()
    client.get("/")
    assert client.session[SessionTimeoutMiddleware.SEEN] >= stamped  # written again


def test_session_lifetimes_are_short(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_SECONDS == 2 * 3600
    assert settings.SESSION_MAX_SECONDS == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


# --- schema and API docs ------------------------------------------------------------


def test_schema_and_docs_need_a_signed_in_user(tree, unit_admin, client, api_client):
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/docs/").status_code in (302, 401)
    token = _token(api_client, unit_admin)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/schema/").status_code == 200
    client.force_login(unit_admin)
    assert client.get("/api/docs/").status_code == 200


# --- user names ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["zhang.wei", "wang_li-2", "li@school", "张红梅", "张伟2"])
def test_user_name_accepted(name):
    validate_username(name)


@pytest.mark.parametrize("name", [
    "zhang wei", "zhang\u200bwei", "admin\u200d", "\u0430dmin",  # Cyrillic а
    "ａdmin",  # full-width
    "zhang\twei", "zhang\x00", "", "ad\u202emin", "〇〇", "αβ", "张 伟"])
def test_user_name_refused(name):
    with pytest.raises(ValidationError):
        validate_username(name)


def test_accounts_page_refuses_bad_and_look_alike_names(tree, unit_admin, client):
    client.force_login(unit_admin)
    url = reverse("accounts-manage")
    form = {"name": "x", "password": "another-long-pw-2", "unit": tree["a"].pk,
            "role": Role.GUARD}
    for bad in ("zhang wei", "zh\u200bang", unit_admin.username.upper()):
        resp = client.post(url, {**form, "username": bad})
        assert resp.status_code == 400, bad
        assert not User.objects.filter(username=bad).exists()
    assert client.post(url, {**form, "username": "张伟"}).status_code == 302
    assert User.objects.filter(username="张伟").exists()


def test_add_account_checks_names_itself(tree, unit_admin):
    with pytest.raises(ValidationError):
        accounts.add_account(unit_admin, username="bad name", name="", password=PASSWORD,
                             unit=tree["a"], role=Role.GUARD)
    assert not User.objects.filter(username="bad name").exists()


def test_createsuperuser_refuses_bad_names(db):
    with pytest.raises(CommandError):
        call_command("createsuperuser", interactive=False, username="bad name",
                     email="", verbosity=0)
    assert not User.objects.filter(username="bad name").exists()


# --- no-store -----------------------------------------------------------------------


def test_signed_in_pages_exports_and_api_are_not_stored(tree, unit_admin, client,
                                                        api_client):
    client.force_login(unit_admin)
    for url in ("/", reverse("records:locations-list"), reverse("records:locations-export")
                + "?format=csv"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert "no-store" in resp["Cache-Control"], url
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {_token(api_client, unit_admin)}")
    assert "no-store" in api_client.get("/api/locations/")["Cache-Control"]


def _png() -> bytes:
    """A real 1×1 PNG, so an evidence check that reads the content accepts it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def test_evidence_downloads_are_not_stored(tree, unit_admin, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fangfan.core import services
    from fangfan.core.models import Attachment
    from fangfan.resources.models import Location

    loc = services.create_record(None, Location, {"unit": tree["a"], "name": "南校门",
                                                  "kind": "other"})
    client.force_login(unit_admin)
    resp = client.post(reverse("records:locations-attach", args=[loc.pk]),
                       {"file": SimpleUploadedFile("gate.png", _png(), "image/png")})
    assert resp.status_code == 302
    download = client.get(reverse("attachment", args=[Attachment.objects.get().pk]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]


# --- secret key ---------------------------------------------------------------------


def test_secret_key_is_generated_once_into_the_data_directory(tmp_path, monkeypatch):
    from fangfan.settings import _secret_key

    monkeypatch.delenv("FANGFAN_SECRET_KEY", raising=False)
    key = _secret_key(tmp_path)
    path = tmp_path / "secret_key"
    assert len(key) >= 50 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _secret_key(tmp_path) == key  # kept across restarts
    monkeypatch.setenv("FANGFAN_SECRET_KEY", "from-the-environment")
    assert _secret_key(tmp_path) == "from-the-environment"


def test_production_settings_require_a_secret_key(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fangfan.settings.production",
           "FANGFAN_ALLOWED_HOSTS": "fangfan.example.org", "FANGFAN_DATA_DIR": str(tmp_path)}
    env.pop("FANGFAN_SECRET_KEY", None)
    proc = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "FANGFAN_SECRET_KEY" in proc.stderr
