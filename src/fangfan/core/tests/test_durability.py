"""No acknowledged write is lost when a process is killed (SPEC §10).

The app runs as `fangfan serve` runs it (gunicorn and the Huey consumer, in processes of
their own, on a database of their own: a fresh SQLite file on the SQLite pass of the
suite, a fresh PostgreSQL database on the PostgreSQL pass), is killed with SIGKILL under
load, and is started again."""
from __future__ import annotations

import contextlib
import http.client
import json
import re
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from fangfan.core.tests import servers

pytestmark = pytest.mark.slow

CLIENTS = 8
KILL_AFTER = 80  # acknowledged writes before the kill


@contextlib.contextmanager
def own_database():
    """None (SQLite in the data directory) or the URL of a fresh PostgreSQL database."""
    url = servers.postgres_url()
    if url is None:
        yield None
        return
    with servers.fresh_postgres(url) as fresh:
        yield fresh


PEOPLE = """
import django, json; django.setup()
from fangfan.resources.models import Person
print(json.dumps(dict(Person.objects.values_list("name", "id"))))
"""


def test_every_acknowledged_create_survives_sigkill(tmp_path):
    with own_database() as url:
        env = servers.environment(tmp_path, url)
        servers.install(env)
        port = servers.free_port()
        server = servers.serve(env, port, tmp_path / "serve.log")
        token = servers.token(port)
        acknowledged: dict[str, int] = {}
        refused: list = []
        stop = threading.Event()

        def client(n: int) -> None:
            for i in range(100_000):
                if stop.is_set():
                    return
                name = f"压测-{n}-{i}"
                try:
                    status, body = servers.request(
                        port, "POST", "/api/people/", {"unit": "school-a", "name": name},
                        token=token, timeout=10)
                except (OSError, http.client.HTTPException):
                    # the server is gone (or went mid-answer): nothing was acknowledged
                    time.sleep(0.05)
                    continue
                if status == 201:
                    acknowledged[name] = body["id"]
                elif status < 500:
                    refused.append((status, body))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + 120
            while len(acknowledged) < KILL_AFTER and time.monotonic() < deadline:
                time.sleep(0.02)
            server.kill(signal.SIGKILL)  # mid-load: requests are in flight
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        assert len(acknowledged) >= KILL_AFTER, server.tail()
        assert not refused, refused[:3]

        port = servers.free_port()
        server = servers.serve(env, port, tmp_path / "serve-again.log")
        try:
            stored = json.loads(servers.python(env, PEOPLE))
            lost = {n: pk for n, pk in acknowledged.items() if stored.get(n) != pk}
            assert not lost, f"{len(lost)} acknowledged writes lost: {list(lost)[:5]}"
            assert "audit log intact" in servers.fangfan(env, "audit", "verify")
            status, _body = servers.request(port, "POST", "/api/people/",
                                            {"unit": "school-a", "name": "重启后"}, token=token)
            assert status == 201
        finally:
            server.kill(signal.SIGTERM)


# --- the worker killed mid-job --------------------------------------------------------

DELIVERIES = 300

QUEUE_MAIL = """
import django; django.setup()
from django.utils import timezone
from fangfan.core.models.notifications import Delivery, DeliveryKind
Delivery.objects.bulk_create(Delivery(kind=DeliveryKind.EMAIL, address=f"p{i}@example.org",
    unit_path="/", title=f"通知 {i}", body="请查收。", next_attempt_at=timezone.now())
    for i in range(COUNT_))
""".replace("COUNT_", str(DELIVERIES))

ENQUEUE = """
import django; django.setup()
from fangfan.core.tasks import send_deliveries
send_deliveries()
"""

STATE = """
import django, json; django.setup()
from fangfan.core.models.notifications import Delivery
print(json.dumps([[d.address, d.status, d.claimed_until is not None, d.attempts]
                  for d in Delivery.objects.all()]))
"""

AFTER_CLAIMS_LAPSE = """
import django; django.setup()
from django.utils import timezone
from fangfan.core import notify
print(notify.send_due(timezone.now() + notify.CLAIM + notify.dt.timedelta(minutes=1)))
"""


def mails_sent(mail_dir: Path) -> Counter:
    """Addresses of the e-mails written by the file backend, one per message sent."""
    sent: Counter = Counter()
    for path in mail_dir.glob("*.log") if mail_dir.exists() else []:
        sent.update(re.findall(r"^To: (\S+)$", path.read_text(errors="replace"), re.M))
    return sent


def state(env: dict) -> dict[str, tuple[str, bool, int]]:
    return {a: (s, c, n) for a, s, c, n in json.loads(servers.python(env, STATE))}


def test_worker_killed_mid_job_sends_each_message_once_its_claim_allows(tmp_path):
    """The consumer dies (SIGKILL) in the middle of sending a batch of e-mails. Started
    again, it sends the rest, each once: what was sent is never sent again, and the
    message it held at the kill is claimed, so no other worker sends it until the claim
    lapses (notify.CLAIM), when the periodic sweep sends it."""
    with own_database() as url:
        env = servers.environment(tmp_path, url)
        servers.install(env)
        servers.python(env, QUEUE_MAIL)
        mail = tmp_path / "mail"
        worker = servers.worker(env, tmp_path / "worker.log")
        try:
            servers.python(env, ENQUEUE)
            deadline = time.monotonic() + 60
            while sum(mails_sent(mail).values()) < 3 and time.monotonic() < deadline:
                time.sleep(0.005)
        finally:
            worker.kill(signal.SIGKILL)
        at_kill = state(env)
        sent_before = {a for a, (s, _c, _n) in at_kill.items() if s == "sent"}
        in_flight = {a for a, (s, c, _n) in at_kill.items() if s == "queued" and c}
        assert sent_before, worker.tail()
        assert len(sent_before) < DELIVERIES, "the batch ended before the kill: add more"
        assert len(in_flight) <= 2  # one per consumer thread at most

        worker = servers.worker(env, tmp_path / "worker-again.log")
        try:
            servers.python(env, ENQUEUE)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                now = state(env)
                if all(now[a][0] == "sent" for a in now if a not in in_flight):
                    break
                time.sleep(0.5)
        finally:
            worker.kill(signal.SIGTERM)
        now = state(env)
        assert all(now[a][0] == "sent" for a in now if a not in in_flight), worker.tail()
        assert all(now[a][0] == "queued" for a in in_flight)  # still claimed: not resent
        sent = mails_sent(mail)
        twice = {a: n for a, n in sent.items() if n > 1}
        assert not twice, twice
        assert all(now[a][2] == 1 for a in now if a not in in_flight)  # attempts

        servers.python(env, AFTER_CLAIMS_LAPSE)
        now, sent = state(env), mails_sent(mail)
        assert all(s == "sent" for s, _c, _n in now.values())
        assert set(sent) == set(now)
        assert all(sent[a] == 1 for a in now if a not in in_flight)
