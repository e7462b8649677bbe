"""The job queue of the embedded default: huey's SQLite queue, committing like a queue
need commit.

Huey's SQLite storage leaves SQLite's `synchronous=FULL`: every enqueue waits for a
second fsync after the record's own (a write through the API pays two, measured in
docs/benchmarks.md). In WAL mode `synchronous=NORMAL` keeps every committed job
through a crash of any process (kill -9 included) and loses at most the last jobs on
a power cut or an operating-system crash, without corrupting the file. What the queue
holds is re-done anyway: the re-evaluations of changed units by the nightly
evaluation, deliveries by the minutely pass over the outbox (the records themselves
are in the application's database, which keeps `synchronous=FULL`).
"""
from __future__ import annotations

from huey import Huey
from huey.storage import SqliteStorage


class QueueStorage(SqliteStorage):
    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class SqliteQueue(Huey):
    """`HUEY["huey_class"]` of the embedded default (settings)."""

    storage_class = QueueStorage
