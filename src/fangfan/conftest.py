"""Shared fixtures: a small unit tree (city > district > schools A and B) and users."""
from __future__ import annotations

import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from fangfan.core import services
from fangfan.core.models import Role, Unit, User


class _SerialWSGIServer(ThreadedWSGIServer):
    """The browser tests' live server: each connection has its thread, as in Django, but
    the application handles one request at a time. On SQLite the test database is in
    memory and every thread shares its one connection; two requests at once (a page and
    its HTMX parts) could hang on it. Production servers have a connection per worker."""

    def set_app(self, application):
        lock = self.serial_lock = threading.Lock()

        def serial(environ, start_response):
            with lock:
                return list(application(environ, start_response))

        super().set_app(serial)


LiveServerThread.server_class = _SerialWSGIServer


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read English messages unless they switch; the product default stays zh-hans."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _second_factor_optional(settings):
    """Tests sign in with the password alone unless they test two-factor sign-in, which
    turns the product's requirement (system administrators, supervisors) back on."""
    settings.FANGFAN_TWO_FACTOR_ROLES = ()


@pytest.fixture
def tree(db) -> dict[str, Unit]:
    city = services.create_unit(None, {"code": "city", "name": "测试市教育局",
                                       "kind": "education_bureau"})
    district = services.create_unit(None, {"parent": city, "code": "district",
                                           "name": "测试区教育局", "kind": "education_bureau"})
    a = services.create_unit(None, {"parent": district, "code": "school-a", "name": "甲小学",
                                    "kind": "school", "stage": "primary", "locale": "city",
                                    "staff_count": 80, "student_count": 900})
    b = services.create_unit(None, {"parent": district, "code": "school-b", "name": "乙小学",
                                    "kind": "school", "stage": "primary", "locale": "town",
                                    "staff_count": 60, "student_count": 700})
    return {"city": city, "district": district, "a": a, "b": b}


@pytest.fixture
def make_user(db):
    def make(role: str, unit: Unit, username: str | None = None, language: str = "en") -> User:
        name = username or f"{role}-{unit.code}"
        user = User.objects.create_user(name, password="pw-long-enough-1", language=language)
        services.grant_role(None, user, unit, role)
        return user

    return make


@pytest.fixture
def unit_admin(tree, make_user) -> User:
    return make_user(Role.UNIT_ADMIN, tree["a"])


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
