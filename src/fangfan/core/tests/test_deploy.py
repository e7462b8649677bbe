"""The deployment of docs/deploy.md: health endpoint, metrics, structured request logs,
and two app servers with a worker on PostgreSQL and Redis."""
from __future__ import annotations

import json
import logging
import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from fangfan.core import operations
from fangfan.core.tests import servers

# --- /health/ -------------------------------------------------------------------------


def test_health_answers_without_signing_in_and_says_nothing_else(db, client):
    resp = client.get("/health/")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok",
                           "checks": {"database": "ok", "queue": "ok", "storage": "ok"}}
    assert "no-cache" in resp["Cache-Control"] or "no-store" in resp["Cache-Control"]


def test_health_fails_with_503_naming_only_the_check(db, client, settings, tmp_path, caplog):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.EVIDENCE_ROOT = blocker / "evidence"
    with caplog.at_level(logging.ERROR, logger="fangfan.health"):
        resp = client.get("/health/")
    assert resp.status_code == 503
    assert resp.json() == {"status": "fail",
                           "checks": {"database": "ok", "queue": "ok", "storage": "fail"}}
    assert str(tmp_path) not in resp.content.decode()  # the detail is in the log only
    assert "health check storage failed" in caplog.text


# --- /metrics ---------------------------------------------------------------------------


def test_metrics_for_a_direct_local_scrape(db, client):
    client.get("/health/")
    resp = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    text = resp.content.decode()
    assert resp.status_code == 200
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert "fangfan_queue_pending" in text and "fangfan_queue_scheduled" in text
    assert 'fangfan_job_failures_total{task="send_deliveries"}' in text


def test_metrics_are_hidden_from_other_addresses_and_through_the_proxy(db, client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                      HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404


@override_settings(FANGFAN_METRICS_TOKEN="s3cret-scrape")
def test_metrics_with_a_token_need_the_token(db, client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                      HTTP_AUTHORIZATION="Bearer s3cret-scrape").status_code == 200


def test_job_failures_are_counted_in_the_shared_cache(db, client):
    from fangfan.core.tasks import send_deliveries

    cache.clear()
    operations.count_failure(send_deliveries.task_class())
    operations.count_failure(send_deliveries.task_class())
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'fangfan_job_failures_total{task="send_deliveries"} 2.0' in text


# --- request log ------------------------------------------------------------------------


def test_one_json_line_per_request_without_personal_data(tree, unit_admin, client, caplog):
    from pythonjsonlogger.json import JsonFormatter

    client.force_login(unit_admin)
    with caplog.at_level(logging.INFO, logger="fangfan.requests"):
        client.get("/api/people/", {"q": "张三"})
    (record,) = [r for r in caplog.records if r.name == "fangfan.requests"]
    line = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s").format(record)
    fields = json.loads(line)
    assert fields["status"] == 200 and fields["method"] == "GET"
    assert fields["route"].startswith("/api/people") and fields["user_id"] == unit_admin.pk
    assert fields["latency_ms"] > 0 and fields["request_id"]
    assert "张三" not in line and unit_admin.username not in line


# --- two app servers and a worker on PostgreSQL and Redis -------------------------------

EVALUATED = """
import django; django.setup()
from fangfan.standards.models import Evaluation
print(Evaluation.objects.filter(unit__code="school-a").count())
"""


CLEAR_MARKERS = """
import django; django.setup()
from fangfan.standards import pending
pending.clear()
"""


@pytest.mark.slow
def test_two_app_servers_and_a_worker_on_postgresql_and_redis(tmp_path):
    url = servers.postgres_url()
    if url is None:
        pytest.skip("PostgreSQL only (DATABASE_URL)")
    if not servers.redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    import redis

    queue = "redis://127.0.0.1:6379/12"
    with servers.fresh_postgres(url) as database:
        env = servers.environment(tmp_path / "data", database, queue,
                                  FANGFAN_EVIDENCE_ROOT=str(tmp_path / "shared-evidence"),
                                  FANGFAN_LOG_FORMAT="json")
        servers.install(env)
        # The install's own queued jobs are not ours: nor are the units they were to
        # evaluate, marked as waiting (a marker holds back a second task for its unit).
        redis.Redis.from_url(queue).flushdb()
        servers.python(env, CLEAR_MARKERS)
        one_port, two_port = servers.free_port(), servers.free_port()
        one = servers.gunicorn(env, one_port, tmp_path / "one.log")
        two = servers.gunicorn(env, two_port, tmp_path / "two.log")
        worker = None
        try:
            token = servers.token(one_port)
            status, made = servers.request(one_port, "POST", "/api/people/",
                                           {"unit": "school-a", "name": "两台服务器"},
                                           token=token)
            assert status == 201, made
            status, listed = servers.request(two_port, "GET", "/api/people/", token=token)
            assert status == 200 and [p["id"] for p in listed["results"]] == [made["id"]]
            for port in (one_port, two_port):
                status, health = servers.request(port, "GET", "/health/")
                assert status == 200 and health["status"] == "ok", health

            assert servers.python(env, EVALUATED).strip() == "0"  # queued, not yet run
            worker = servers.worker(env, tmp_path / "worker.log")
            deadline = time.monotonic() + 60
            while servers.python(env, EVALUATED).strip() != "1":
                assert time.monotonic() < deadline, worker.tail()
                time.sleep(0.5)

            status, text = servers.request(one_port, "GET", "/metrics")
            assert status == 200 and "fangfan_queue_pending 0.0" in text
            assert 'django_http_responses_total_by_status_total{status="201"}' in text
            log_lines = (tmp_path / "one.log").read_text().splitlines()
            created = [json.loads(x) for x in log_lines if '"status": 201' in x]
            assert created and created[0]["route"] == "/api/people/"
        finally:
            for proc in (one, two, worker):
                if proc is not None:
                    proc.kill(15)
