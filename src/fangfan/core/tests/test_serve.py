"""`fangfan serve` says so and fails when it cannot run, instead of claiming it runs."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangfan.core.management.commands import serve


@pytest.fixture
def taken_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


class FakeProcess:
    """A child that has already exited with `code` (None: still running)."""

    def __init__(self, args, code=None):
        self.args, self.code, self.signals = args, code, []

    def poll(self):
        return self.code

    def wait(self, timeout=None):
        return self.code

    def send_signal(self, sig):
        self.signals.append(sig)
        self.code = -sig


def test_port_in_use_is_refused_before_anything_starts(taken_port, monkeypatch):
    monkeypatch.setattr(serve.subprocess, "Popen", pytest.fail)
    with pytest.raises(CommandError, match="already in use"):
        call_command("serve", bind=f"127.0.0.1:{taken_port}")


def test_port_in_use_exits_non_zero_from_the_shell(taken_port, tmp_path):
    env = {**os.environ, "FANGFAN_DATA_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "fangfan", "serve", "--bind",
                          f"127.0.0.1:{taken_port}"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert run.returncode != 0
    assert "already in use" in run.stderr and "已被占用" in run.stderr
    assert "running" not in run.stdout


def test_web_server_dying_at_start_fails_and_stops_the_worker(monkeypatch, settings,
                                                              tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    started, before = [], signal.getsignal(signal.SIGTERM)

    def popen(args):
        proc = FakeProcess(args, code=3 if "gunicorn" in args else None)
        started.append(proc)
        return proc

    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    with socket.socket() as probe:  # a free port: the check passes, gunicorn "dies"
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CommandError, match="did not start"):
        call_command("serve", bind=f"127.0.0.1:{port}")
    worker, web = started
    assert worker.signals  # the worker is stopped too
    assert web.args[web.args.index("--control-socket") + 1] == str(tmp_path / "gunicorn.ctl")
    assert "running" not in capsys.readouterr().out
    assert signal.getsignal(signal.SIGTERM) is before  # handled while serving, then given back


@pytest.mark.parametrize("bind, address", [
    ("127.0.0.1:8000", ("127.0.0.1", 8000)), ("[::1]:8001", ("::1", 8001)),
    (":8002", ("0.0.0.0", 8002)), ("unix:/tmp/f.sock", None)])
def test_bind_addresses_are_read_like_gunicorn(bind, address):
    assert serve.tcp_address(bind) == address


def test_worker_log_lines_are_printed_once():
    """run_huey adds its own handler only to a "huey" logger without one; ours has one
    and does not pass lines on to the root handler as well."""
    import logging

    huey = logging.getLogger("huey")
    assert huey.handlers and not huey.propagate


def test_sigterm_stops_the_web_server_and_the_worker_too(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "FANGFAN_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    serving = subprocess.Popen([sys.executable, "-m", "fangfan", "serve", "--bind",
                                f"127.0.0.1:{port}", "--workers", "1"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in iter(serving.stdout.readline, ""):  # "" once it has exited
            if "is running" in line:
                break
        assert serving.poll() is None
        children = _children(serving.pid)
        assert len(children) == 2  # the worker and gunicorn's master
        serving.send_signal(signal.SIGTERM)
        assert serving.wait(timeout=60) == 0
    finally:
        if serving.poll() is None:
            serving.kill()
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for t in tasks.iterdir() for c in (t / "children").read_text().split()]
