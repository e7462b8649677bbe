"""Real processes for the deployment and durability tests: the app as `fangfan serve`
or gunicorn runs it, the Huey consumer, each with its own data directory and database
(a fresh SQLite file, or a fresh PostgreSQL database beside the one DATABASE_URL names),
and a small HTTP client. Nothing here runs in the test process's database."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection

PASSWORD = "pw-long-enough-1"

# Run in the server's environment: one district with a school and its administrator.
SETUP = """
import django; django.setup()
from fangfan.core import services
from fangfan.core.models import Role, User
city = services.create_unit(None, {"code": "city", "name": "测试市教育局",
    "kind": "education_bureau"})
school = services.create_unit(None, {"parent": city, "code": "school-a", "name": "甲小学",
    "kind": "school", "stage": "primary", "locale": "city", "staff_count": 80,
    "student_count": 900})
user = User.objects.create_user("admin-a", password=PASSWORD_, language="en")
services.grant_role(None, user, school, Role.UNIT_ADMIN)
""".replace("PASSWORD_", repr(PASSWORD))


def postgres_url() -> str | None:
    """The DATABASE_URL of this run if it is PostgreSQL (the suite's second pass)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if connection.vendor == "postgresql" and url.startswith("postgres") else None


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@contextlib.contextmanager
def fresh_postgres(url: str) -> Iterator[str]:
    """A new empty database on the server `url` names, dropped afterwards."""
    import psycopg

    name = f"fangfan_proc_{uuid.uuid4().hex[:10]}"
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlparse(url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(data_dir: Path, database_url: str | None = None,
                redis_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "FANGFAN_REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(FANGFAN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="fangfan.settings",
               FANGFAN_TWO_FACTOR_ROLES="", FANGFAN_ALLOWED_HOSTS="127.0.0.1,localhost",
               **extra)
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["FANGFAN_REDIS_URL"] = redis_url
    return env


def fangfan(env: dict, *args: str, timeout: float = 300) -> str:
    run = subprocess.run([sys.executable, "-m", "fangfan", *args], env=env,
                         capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, f"fangfan {' '.join(args)}: {run.stderr[-3000:]}"
    return run.stdout


def python(env: dict, code: str, timeout: float = 300) -> str:
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def install(env: dict) -> None:
    """Migrate the fresh database and add the school and its administrator."""
    fangfan(env, "migrate", "--noinput", "-v0")
    python(env, SETUP)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process in a session of its own, so that SIGKILL reaches the whole tree
    at once (a gunicorn master and its workers, `fangfan serve` and its worker), as
    when a machine's processes are killed."""

    def __init__(self, args: list[str], env: dict, log: Path) -> None:
        self.log = log
        self._out = log.open("ab")
        self.proc = subprocess.Popen(args, env=env, stdout=self._out,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        self._out.close()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def errors(self, limit: int = 8000) -> str:
        """The server's logged errors with their tracebacks (the cause of a 500), not the
        queue's chatter that fills the end of its log."""
        kept, inside = [], False
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("["):  # a new log record; others continue the last one
                inside = " ERROR " in line or " CRITICAL " in line
            if inside:
                kept.append(line)
        return "\n".join(kept)[-limit:] or self.tail()


def serve(env: dict, port: int, log: Path, workers: int = 2) -> Process:
    """`fangfan serve` (gunicorn and the Huey worker), answering on `port`."""
    server = Process([sys.executable, "-m", "fangfan", "serve", "--bind",
                      f"127.0.0.1:{port}", "--workers", str(workers)], env, log)
    wait_until_up(server, port)
    return server


def gunicorn(env: dict, port: int, log: Path, workers: int = 2) -> Process:
    """One app server as docs/deploy.md runs it (the gunicorn config of deploy/)."""
    server = Process([sys.executable, "-m", "gunicorn", "-c", "python:fangfan.gunicorn_conf",
                      "fangfan.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                     env, log)
    wait_until_up(server, port)
    return server


def worker(env: dict, log: Path) -> Process:
    return Process([sys.executable, "-m", "fangfan", "run_huey"], env, log)


def wait_until_up(server: Process, port: int, patience: float = 60) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"server exited ({server.proc.returncode}):\n{server.tail()}")
        with contextlib.suppress(OSError):
            status, _body = request(port, "GET", "/accounts/login/", timeout=5)
            if status == 200:
                return
        time.sleep(0.2)
    server.kill()
    pytest.fail(f"server did not answer on {port}:\n{server.tail()}")


def request(port: int, method: str, path: str, body: dict | None = None,
            token: str | None = None, timeout: float = 30) -> tuple[int, dict | str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read().decode(errors="replace")
    finally:
        conn.close()
    try:
        return resp.status, json.loads(raw)
    except ValueError:
        return resp.status, raw


def token(port: int, username: str = "admin-a") -> str:
    status, body = request(port, "POST", "/api/auth/token/",
                           {"username": username, "password": PASSWORD})
    assert status == 200, body
    return body["token"]
