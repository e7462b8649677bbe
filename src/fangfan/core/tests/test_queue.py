"""The embedded queue (core.queue): WAL with synchronous=NORMAL, jobs kept."""
from __future__ import annotations

import os

import pytest

from fangfan.core.queue import SqliteQueue


@pytest.mark.skipif(bool(os.environ.get("FANGFAN_REDIS_URL")), reason="Redis queue")
def test_the_default_queue_is_this_one():
    from fangfan.settings import HUEY  # the test settings run jobs immediately

    assert HUEY["huey_class"] == "fangfan.core.queue.SqliteQueue"


def test_queue_commits_without_a_second_full_sync_and_keeps_its_jobs(tmp_path):
    queue = SqliteQueue("t", filename=str(tmp_path / "q.sqlite3"))

    @queue.task()
    def job(n):
        return n

    job(1)
    job(2)
    conn = queue.storage.conn
    assert conn.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    conn.close()
    again = SqliteQueue("t", filename=str(tmp_path / "q.sqlite3"))
    assert again.pending_count() == 2
