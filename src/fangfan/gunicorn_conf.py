"""gunicorn settings for Fangfan (`gunicorn -c python:fangfan.gunicorn_conf fangfan.wsgi`,
as `fangfan serve` and deploy/fangfan.service run it). Every value can be given on the
command line or in GUNICORN_CMD_ARGS as well; docs/deploy.md lists them.

Prometheus: each worker process counts its own requests into files under
PROMETHEUS_MULTIPROC_DIR, which /metrics adds up. One directory per server (a fresh
temporary one unless the service sets it), emptied when the server starts, and a dead
worker's gauges dropped."""
import os
import tempfile
from pathlib import Path

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="fangfan-metrics-")

bind = os.environ.get("FANGFAN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FANGFAN_WORKERS", "2"))
threads = int(os.environ.get("FANGFAN_THREADS", "4"))
timeout = 60
graceful_timeout = 30
# Requests are logged by the app (core.operations: JSON, no personal data), not here.
accesslog = None
errorlog = "-"
# The proxies whose X-Forwarded-Proto / -For are believed (nginx on the same machine).
forwarded_allow_ips = os.environ.get("FANGFAN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def on_starting(server) -> None:
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
