"""The stack floor (issue 14): Fangfan against a bare Django project on the same stack,
side by side in one run.

    .venv/bin/python benchmarks/stack_floor.py [--database-url postgres://…/postgres]
        [--clients 8] [--seconds 15] [--profile]

Both are served by gunicorn with the same shape (2 processes × 4 threads, as
`fangfan serve` runs it): Fangfan by its own command (`fangfan serve`), the bare project
(generated in a temporary directory: one model, two function views, no middleware) by
`gunicorn --workers 2 --threads 4`. Each gets a fresh database with the same settings
(SQLite in WAL with synchronous=FULL and IMMEDIATE transactions, or a new PostgreSQL
database on the server the URL names). The same load (N client processes, each with a
keep-alive connection, as many requests as it can for S seconds) is run against both:

- write: Fangfan creates a person through the API (token auth); the floor inserts one
  row from a JSON body and answers it as JSON;
- read: Fangfan lists the school's 20 people through the API; the floor lists 20 rows.

--profile samples Fangfan's gunicorn workers with py-spy during a second write and read
run and prints where the time goes (inclusive share of samples by function)."""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "pw-long-enough-1"
PEOPLE = 20

SETUP = """
import django; django.setup()
from fangfan.core import services
from fangfan.core.models import Role, User
from fangfan.resources.models import Person
city = services.create_unit(None, {"code": "city", "name": "测试市教育局",
    "kind": "education_bureau"})
school = services.create_unit(None, {"parent": city, "code": "school-a", "name": "甲小学",
    "kind": "school", "stage": "primary", "locale": "city", "staff_count": 80,
    "student_count": 900})
user = User.objects.create_user("admin-a", password=PASSWORD_, language="zh-hans")
services.grant_role(None, user, school, Role.UNIT_ADMIN)
for i in range(PEOPLE_):
    services.create_record(user, Person, {"unit": school, "name": f"教职工{i:02d}"})
""".replace("PASSWORD_", repr(PASSWORD)).replace("PEOPLE_", str(PEOPLE))

BARE_SETTINGS = """
import os
import dj_database_url
SECRET_KEY = "bench"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["floor"]
MIDDLEWARE = []
ROOT_URLCONF = "floor.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": dj_database_url.parse(os.environ["FLOOR_DATABASE_URL"], conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE", "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"}
"""

BARE_APP = {
    "floor/__init__.py": "",
    "floor/models.py": """
from django.db import models

class Item(models.Model):
    unit = models.CharField(max_length=50)
    name = models.CharField(max_length=100)
""",
    "floor/views.py": """
import json
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from floor.models import Item

@csrf_exempt
def items(request):
    if request.method == "POST":
        data = json.loads(request.body)
        with transaction.atomic():
            item = Item.objects.create(unit=data["unit"], name=data["name"])
        return JsonResponse({"id": item.pk, "unit": item.unit, "name": item.name}, status=201)
    rows = list(Item.objects.filter(unit="school-a").order_by("name")
                .values("id", "unit", "name")[:20])
    return JsonResponse({"count": len(rows), "results": rows})
""",
    "floor/urls.py": """
from django.urls import path
from floor import views
urlpatterns = [path("items/", views.items)]
""",
    "floor/wsgi.py": """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floor.settings")
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
""",
}

SEED_FLOOR = """
import django; django.setup()
from floor.models import Item
Item.objects.bulk_create(Item(unit="school-a", name=f"教职工{i:02d}") for i in range(COUNT_))
""".replace("COUNT_", str(PEOPLE))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], env: dict, cwd: Path | None = None) -> str:
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(args[:4])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def fresh_database(base: str | None, data_dir: Path, name: str) -> str:
    if not base:
        return f"sqlite:///{data_dir / (name + '.sqlite3')}"
    import psycopg

    db = f"stack_floor_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    return urlparse(base)._replace(path=f"/{db}").geturl()


def drop_database(base: str | None, url: str) -> None:
    if not base:
        return
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlparse(url).path[1:]}" WITH (FORCE)')


def wait_up(port: int, path: str, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit(f"server on {port} exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"server on {port} did not start")


# --- load --------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What each request of a run is: `path` formatted with the request's item, the
    JSON `body` with the item's "body" merged in and `unique` (a body key) made unique
    per request. With `items`, each is sent once, shared out among the clients
    (a visit is checked in once); a client that has used up its share stops."""

    method: str
    path: str
    body: dict | None = None
    unique: str = ""
    items: tuple = ()

    def request(self, client: int, clients: int, i: int) -> tuple[str, str | None] | None:
        item: dict = {}
        if self.items:
            n = client + i * clients
            if n >= len(self.items):
                return None
            item = self.items[n]
        body = None
        if self.body is not None or "body" in item:
            data = {**(self.body or {}), **item.get("body", {})}
            if self.unique:
                data[self.unique] = f"{data[self.unique]}-{os.getpid()}-{i}"
            body = json.dumps(data)
        return self.path.format(**item), body


def _client(args) -> tuple[int, int, list[float], bool, str]:
    port, spec, token, seconds, client, clients = args
    first_error = ""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    ok = bad = 0
    latencies = []
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        request = spec.request(client, clients, i)
        if request is None:
            return ok, bad, latencies, True, first_error
        path, body = request
        started = time.perf_counter()
        try:
            conn.request(spec.method, path, body=body, headers=headers)
            resp = conn.getresponse()
            answer = resp.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            bad += 1
            i += 1
            continue
        latencies.append(time.perf_counter() - started)
        if resp.status in (200, 201):
            ok += 1
        else:
            bad += 1
            first_error = first_error or f"{resp.status} {answer[:300]!r}"
        i += 1
    conn.close()
    return ok, bad, latencies, False, first_error


def load(port: int, spec: Load, token: str | None, clients: int, seconds: float) -> dict:
    """Run `clients` client processes against the server for `seconds`: requests per
    second answered 200/201, errors, p50 and p95 in ms, and whether the items ran out
    (then the rate is of a shorter run: give more items)."""
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.map(_client, [(port, spec, token, seconds, c, clients)
                                     for c in range(clients)])
    ok = sum(r[0] for r in results)
    bad = sum(r[1] for r in results)
    lat = sorted(x for r in results for x in r[2])
    pick = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (
        lambda q: float("nan"))
    errors = [r[4] for r in results if r[4]]
    if errors:
        print(f"<!-- {spec.method} {spec.path}: first error {errors[0]} -->", flush=True)
    return {"rps": ok / seconds, "errors": bad, "p50": pick(0.5), "p95": pick(0.95),
            "ran_out": any(r[3] for r in results)}


def row(name: str, a: dict, f: dict) -> str:
    """A table row: the app's figures, the floor's, and the ratio of their rates."""
    errors = f" ({a['errors']} errors)" if a["errors"] else ""
    out = " (items ran out)" if a["ran_out"] else ""
    return (f"| {name} | {a['rps']:.0f}{errors}{out} | {a['p50']:.1f} | {a['p95']:.1f} | "
            f"{f['rps']:.0f} | {f['p50']:.1f} | {f['p95']:.1f} | "
            f"{a['rps'] / f['rps']:.2f}× |")


TABLE_HEAD = ("| path | Fangfan req/s | p50 ms | p95 ms | floor req/s | p50 ms | p95 ms "
              "| ratio |\n|---|---|---|---|---|---|---|---|")
PEOPLE_READ = Load("GET", "/api/people/")
PEOPLE_WRITE = Load("POST", "/api/people/", {"unit": "school-a", "name": "压测app"}, "name")
FLOOR_READ = Load("GET", "/items/")
FLOOR_WRITE = Load("POST", "/items/", {"unit": "school-a", "name": "压测floor"}, "name")


# --- the two servers ---------------------------------------------------------------


def fangfan_env(work: Path, base: str | None) -> tuple[dict, str, Path]:
    """A data directory and a fresh, migrated database for the app: its environment."""
    data = work / "fangfan"
    data.mkdir()
    url = fresh_database(base, data, "fangfan")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(FANGFAN_DATA_DIR=str(data), DATABASE_URL=url, FANGFAN_TWO_FACTOR_ROLES="",
               DJANGO_SETTINGS_MODULE="fangfan.settings")
    env.pop("FANGFAN_REDIS_URL", None)
    run([PY, "-m", "fangfan", "migrate", "--noinput", "-v0"], env)
    return env, url, data


def serve_fangfan(env: dict, data: Path, workers: int, username: str) -> tuple:
    """`fangfan serve` (gunicorn and the worker) on a free port, and a token of the
    user's, as a client of the API gets it."""
    port = free_port()
    proc = subprocess.Popen([PY, "-m", "fangfan", "serve", "--bind", f"127.0.0.1:{port}",
                             "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                            stderr=(data / "serve.log").open("wb"), start_new_session=True)
    wait_up(port, "/health/", proc)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", "/api/auth/token/", json.dumps(
        {"username": username, "password": PASSWORD}), {"Content-Type": "application/json"})
    token = json.loads(conn.getresponse().read())["token"]
    return proc, port, token


def start_fangfan(work: Path, base: str | None, workers: int) -> tuple:
    env, url, data = fangfan_env(work, base)
    run([PY, "-c", SETUP], env)
    return (*serve_fangfan(env, data, workers, "admin-a"), url)


def start_floor(work: Path, base: str | None, workers: int) -> tuple:
    project = work / "floor-project"
    for name, text in BARE_APP.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(textwrap.dedent(text))
    (project / "floor" / "settings.py").write_text(BARE_SETTINGS)
    url = fresh_database(base, project, "floor")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="floor.settings", FLOOR_DATABASE_URL=url,
               PYTHONPATH=str(project))
    run([PY, "-m", "django", "makemigrations", "floor", "-v0"], env, project)
    run([PY, "-m", "django", "migrate", "-v0"], env, project)
    run([PY, "-c", SEED_FLOOR], env, project)
    port = free_port()
    proc = subprocess.Popen([PY, "-m", "gunicorn", "floor.wsgi", "--bind",
                             f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4"],
                            env=env, cwd=project, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    wait_up(port, "/items/", proc)
    return proc, port, url


def profile(fangfan_proc: subprocess.Popen, port: int, token: str, clients: int,
            seconds: float, spec: Load) -> None:
    """Sample the gunicorn workers with py-spy while the load runs; print the functions
    with the largest inclusive share of samples (fangfan's own and the libraries')."""
    spy = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
    out = Path(tempfile.mkdtemp()) / "stacks.txt"
    sampler = subprocess.Popen([spy, "record", "--pid", str(fangfan_proc.pid),
                                "--subprocesses", "--format", "raw", "--rate", "200",
                                "--duration", str(int(seconds) + 2), "--output", str(out),
                                "--nonblocking"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    time.sleep(1)
    load(port, spec, token, clients, seconds)
    sampler.wait()
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _sep, count = line.rpartition(" ")
        if "handle_request" not in stack:
            continue  # idle threads (waiting on the socket) and the master: not serving
        n = int(count)
        total += n
        frames = [_frame_name(f) for f in stack.split(";") if " (" in f]
        for key in set(frames):
            inclusive[key] += n
        own[frames[-1]] += n
    print(f"\n## profile: {spec.method} {spec.path} ({total} samples serving requests)\n")
    print("Inclusive (below the WSGI handler and the middleware chain):\n")
    print("| share | function |\n|---|---|")
    below = inclusive["BaseHandler._get_response (django/core/handlers/base.py)"] or total
    for key, n in inclusive.most_common(200):
        if n / total < 0.04:
            break
        if n <= below:
            print(f"| {100 * n / total:.0f}% | `{key}` |")
    print("\nSelf time (the frame on top of the stack):\n")
    print("| share | function |\n|---|---|")
    for key, n in own.most_common(15):
        print(f"| {100 * n / total:.0f}% | `{key}` |")


def _frame_name(frame: str) -> str:
    name, _sep, where = frame.partition(" (")
    where = where.split(":")[0].split("site-packages/")[-1].split("src/")[-1]
    return f"{name} ({where.split('python3.11/')[-1]})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default="",
                    help="a PostgreSQL server (any database on it): fresh databases are made")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    base = args.database_url or None
    work = Path(tempfile.mkdtemp(prefix="stack-floor-"))
    fangfan = floor = None
    try:
        fangfan = start_fangfan(work, base, args.workers)
        floor = start_floor(work, base, args.workers)
        kind = "PostgreSQL" if base else "SQLite"
        print(f"# stack floor, {kind}, {args.clients} clients × {args.seconds:g} s, "
              f"gunicorn {args.workers} × 4, {platform.python_version()}, "
              f"load average before: {os.getloadavg()[0]:.1f}\n")
        print(TABLE_HEAD)
        # Read first: the school's 20 people, as the floor's 20 rows (after the write run
        # there would be thousands, and a page of 50).
        cases = [("read", PEOPLE_READ, FLOOR_READ), ("write", PEOPLE_WRITE, FLOOR_WRITE)]
        for name, app_spec, floor_spec in cases:
            a = load(fangfan[1], app_spec, fangfan[2], args.clients, args.seconds)
            f = load(floor[1], floor_spec, None, args.clients, args.seconds)
            print(row(name, a, f), flush=True)
        if args.profile:
            for _name, app_spec, _f in cases:
                profile(fangfan[0], fangfan[1], fangfan[2], args.clients, args.seconds,
                        app_spec)
    finally:
        stop(base, work, fangfan, floor, databases=[s[-1] for s in (fangfan, floor) if s])


def stop(base: str | None, work: Path, *servers, databases: list) -> None:
    """End the servers (those that started), drop their databases, remove the work
    directory: what every benchmark of servers does last, whatever happened."""
    for server in servers:
        if server:
            os.killpg(server[0].pid, signal.SIGTERM)
            server[0].wait(timeout=30)
    for url in databases:
        if url:
            drop_database(base, url)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
