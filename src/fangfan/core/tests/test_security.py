"""Security basics: deploy checks, login throttling, headers, password hashing."""
from __future__ import annotations

import os
import subprocess
import sys

from django.contrib.auth.hashers import get_hasher
from django.test import override_settings
from django.urls import reverse


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fangfan.settings.production",
           "FANGFAN_SECRET_KEY": "k" * 30 + "-very-secret-and-long-enough-for-django-1234",
           "FANGFAN_ALLOWED_HOSTS": "fangfan.example.org", "FANGFAN_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    proc = subprocess.run([sys.executable, "-m", "fangfan", "check", "--deploy",
                           "--fail-level", "WARNING"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_passwords_are_hashed_with_argon2():
    from fangfan.settings import PASSWORD_HASHERS

    assert PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS):
        assert get_hasher().algorithm == "argon2"


def test_login_is_throttled(tree, unit_admin, client):
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": unit_admin.username, "password": "wrong"})
    resp = client.post(url, {"username": unit_admin.username, "password": "pw-long-enough-1"})
    assert resp.status_code == 429
    assert "_auth_user_id" not in client.session


def test_pages_need_login_and_send_security_headers(db, client):
    resp = client.get("/locations/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/login/")
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert page["X-Frame-Options"] == "DENY"
    assert "csrfmiddlewaretoken" in page.content.decode()


def test_no_asset_comes_from_another_origin(tree, unit_admin, client):
    client.force_login(unit_admin)
    html = client.get("/").content.decode()
    assert "http://" not in html.replace('xmlns="http://', "") and "https://" not in html
