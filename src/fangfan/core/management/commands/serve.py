"""`fangfan serve`: the web server and the background worker together, for the
embedded setup (`make run`). Production runs gunicorn and `fangfan run_huey` apart."""
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand

from fangfan.core.demo import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Run the web server and the background worker until interrupted."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, **options) -> None:
        worker = subprocess.Popen([sys.executable, "-m", "fangfan", "run_huey"])
        web = subprocess.Popen([
            sys.executable, "-m", "gunicorn", "fangfan.wsgi", "--bind", options["bind"],
            "--workers", str(options["workers"]), "--threads", "4", "--access-logfile", "-",
        ])
        self.stdout.write(f"\nFangfan is running on http://{options['bind']}/\n"
                          f"Demo logins (password {DEMO_PASSWORD!r}):")
        for username, _last, _first, role, unit in USERS:
            self.stdout.write(f"  {username:20} {role.label} @ {unit}")
        self.stdout.write("Press Ctrl-C to stop.\n")
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in (web, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
