"""What an IT department's monitoring reads (docs/deploy.md): `/health/` for the load
balancer, `/metrics` for Prometheus, and one structured log line per request.

- `/health/` answers without signing in and says only "ok"/"fail" per check (database,
  queue, evidence storage): no versions, names, counts or error texts, which go to the
  log instead. 200 when all pass, 503 otherwise, so nginx or a load balancer takes a
  broken app server out of rotation.
- `/metrics` is django-prometheus's request metrics (latency, status, per view) plus the
  queue's depth and the background jobs' failures. Answered only with the bearer token
  FANGFAN_METRICS_TOKEN, or, without one, only to a direct connection (no proxy header)
  from an address in FANGFAN_METRICS_ALLOW (loopback unless set): Prometheus scrapes
  each app server at its own port, the public reaches none of it through nginx.
- Job failures are counted in the shared cache (Redis or the database), so a worker on
  another machine is counted by every app server's `/metrics`.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import autodiscover_modules
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("fangfan.health")
request_log = logging.getLogger("fangfan.requests")

FAILURES_KEY = "fangfan:job-failures:"


# --- health --------------------------------------------------------------------------


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _queue() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.storage.queue_size()


def _storage() -> None:
    """The evidence directory (a shared volume) is there and takes a file; or the object
    storage answers (a HEAD request: nothing is written to a bucket on every check)."""
    from fangfan.core import evidence

    if remote := evidence.remote_storage():
        remote.exists("health-check")
        return
    root = Path(settings.EVIDENCE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".health-"):
        pass


CHECKS = {"database": _database, "queue": _queue, "storage": _storage}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception:  # any failure is a failed check; its detail goes to the log
            log.exception("health check %s failed", name)
            results[name] = "fail"
    ok = all(v == "ok" for v in results.values())
    return JsonResponse({"status": "ok" if ok else "fail", "checks": results},
                        status=200 if ok else 503)


# --- metrics -------------------------------------------------------------------------


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "FANGFAN_METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if "X-Forwarded-For" in request.headers:
        return False  # came through the proxy: from outside
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False)
               for n in getattr(settings, "FANGFAN_METRICS_ALLOW", ["127.0.0.1", "::1"]))


class QueueCollector:
    """Queue depth and job failures, read when scraped (never stale, nothing to update)."""

    def collect(self):
        from huey.contrib.djhuey import HUEY
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        pending = GaugeMetricFamily("fangfan_queue_pending",
                                    "Background jobs waiting for a worker.")
        scheduled = GaugeMetricFamily("fangfan_queue_scheduled",
                                      "Background jobs scheduled for later (retries included).")
        try:
            pending.add_metric([], HUEY.storage.queue_size())
            scheduled.add_metric([], HUEY.storage.schedule_size())
        except Exception:
            log.exception("queue size not readable")
        yield pending
        yield scheduled
        failures = CounterMetricFamily("fangfan_job_failures",
                                       "Background job runs that raised an error.",
                                       labels=["task"])
        autodiscover_modules("tasks")  # every job is listed, failed or not (import once)
        names = sorted(HUEY._registry._registry)
        counts = cache.get_many([FAILURES_KEY + n for n in names])
        for name in names:
            failures.add_metric([name.rsplit(".", 1)[-1]], counts.get(FAILURES_KEY + name, 0))
        yield failures


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(status=404)  # as if absent: nothing to learn from outside
    import prometheus_client
    from prometheus_client import multiprocess

    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # gunicorn: every worker's figures
        requests = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = prometheus_client.REGISTRY
    queue = prometheus_client.CollectorRegistry()
    queue.register(QueueCollector())
    body = prometheus_client.generate_latest(requests) + prometheus_client.generate_latest(queue)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


def count_failure(task) -> None:
    """Called by the worker when a job raises (core.tasks connects it)."""
    key = f"{FAILURES_KEY}{type(task).__module__}.{task.name}"
    try:
        cache.add(key, 0, timeout=None)
        cache.incr(key)
    except Exception:  # counting must never break the worker
        log.exception("job failure not counted")


# --- request log ---------------------------------------------------------------------


class RequestLogMiddleware:
    """One line per request: method, the route (not the address: a query string or a
    search term can name a person), status, latency and the user's id, with the request
    id that audit entries carry. No names, no addresses, no bodies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        latency = round((time.perf_counter() - started) * 1000, 1)
        route = "/" + match.route.replace("^", "").replace("$", "") if match else None
        request_log.info(
            "%s %s %s %sms", request.method, route or "-", response.status_code, latency,
            extra={"method": request.method,
                   "route": route,
                   "view": match.view_name if match else None,
                   "status": response.status_code,
                   "latency_ms": latency,
                   "user_id": user.pk if user is not None and user.is_authenticated else None,
                   "request_id": getattr(request, "id", None)})
        return response
