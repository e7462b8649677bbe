"""`fangfan serve`: the web server and the background worker together, for the
embedded setup (`make run`). Production runs gunicorn and `fangfan run_huey` apart."""
import errno
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fangfan.core.demo import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Run the web server and the background worker until interrupted."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, **options) -> None:
        address = tcp_address(options["bind"])
        if address and not port_free(*address):
            raise CommandError(
                f"{options['bind']} is already in use: is Fangfan (or another server) "
                f"running? Stop it or choose another address with --bind.\n"
                f"{options['bind']} 已被占用：防范或其他服务可能已在运行。请先停止它，"
                f"或用 --bind 指定其他地址。")
        # A plain `kill` (SIGTERM) stops the server the way Ctrl-C does, with its children;
        # otherwise the web server and the worker were left running without it.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        worker = subprocess.Popen([sys.executable, "-m", "fangfan", "run_huey"])
        web = subprocess.Popen([
            sys.executable, "-m", "gunicorn", "fangfan.wsgi",
            "--config", "python:fangfan.gunicorn_conf", "--bind", options["bind"],
            "--workers", str(options["workers"]), "--threads", "4",
            "--control-socket", str(settings.DATA_DIR / "gunicorn.ctl"),
        ])
        try:
            if not started(web, address):
                raise CommandError(f"The web server did not start (exit code {web.poll()}); "
                                   f"see its messages above.\n网页服务未能启动，请查看上面的信息。")
            self.announce(options["bind"])
            code = web.wait()
        except KeyboardInterrupt:
            code = 0
        finally:
            stop(web, worker)
            signal.signal(signal.SIGTERM, previous)
        if code:
            raise CommandError(f"The web server stopped with exit code {code}.")

    def announce(self, bind: str) -> None:
        self.stdout.write(f"\nFangfan is running on http://{bind}/\n"
                          f"Demo logins (password {DEMO_PASSWORD!r}):")
        for username, _last, _first, role, unit in USERS:
            self.stdout.write(f"  {username:20} {role.label} @ {unit}")
        self.stdout.write("Press Ctrl-C to stop.\n")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def tcp_address(bind: str) -> tuple[str, int] | None:
    """Host and port of a gunicorn --bind value ("host:port", "[::1]:port"); None for a
    Unix socket, which has no port to check."""
    if bind.startswith(("unix:", "fd://")) or ":" not in bind:
        return None
    host, _sep, port = bind.rpartition(":")
    return (host.strip("[]") or "0.0.0.0"), int(port)


def port_free(host: str, port: int) -> bool:
    """Whether we could listen there. Checked before starting, because gunicorn started
    on a taken port quits while this command would already have said it is running."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            probe.bind((host, port))
        except OSError as exc:
            # Only "in use" is ours to report; gunicorn explains any other bind error.
            return exc.errno != errno.EADDRINUSE
    return True


def started(web: subprocess.Popen, address: tuple[str, int] | None,
            patience: float = 30.0) -> bool:
    """Wait until the web server answers on its port, or stops (False) first."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if web.poll() is not None:
            return False
        if address is None or not port_free(*address):
            return True
        time.sleep(0.2)
    return web.poll() is None


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
