"""Django's SQLite backend, with writers queued the way a lock hands over, not the way
SQLite's busy handler retries.

SQLite admits one writer at a time. A transaction that finds the database taken waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms
between tries and is not woken when the writer ends: under a burst of writes (the gate at
the morning peak) a write that came second can sleep 100 ms behind one that took 2 ms,
while later ones overtake it (docs/benchmarks.md: p95 of a write fell from 112 to 55 ms).
Here a transaction first takes the writers' lock of its database: a lock of the process
(threads of one server are woken the moment it is free), then a lock on a file beside the
database (`<database>-writer`) that the other processes (the other app servers, the
worker) try every fraction of a millisecond; only then BEGIN IMMEDIATE, which then finds
the database free. The lock is released when the transaction commits or rolls back, or
the connection closes. Waiting longer than the database's `timeout` fails as SQLite
would ("database is locked"). Django's stock backend remains what the settings would name
without it; this one changes nothing else."""
from __future__ import annotations

import errno
import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base

_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(name: str) -> threading.Lock:
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(name, threading.Lock())


class CursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, with each statement's placeholders rewritten for SQLite once:
    Django's regular expression scanned the whole text of every statement run (some 4 µs
    each, a dozen to a write, most while it holds the database), though the statements
    compiled once (`core.prepared`, the audit chain) are the same text every time."""

    def convert_query(self, query, *, param_names=None):
        if param_names is not None:
            return super().convert_query(query, param_names=param_names)
        converted = _CONVERTED.get(query)
        if converted is None:
            if len(_CONVERTED) >= 4096:
                _CONVERTED.clear()
            converted = _CONVERTED[query] = super().convert_query(query)
        return converted


_CONVERTED: dict[str, str] = {}


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_file: int | None = None
    _writing: threading.Lock | None = None

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def _start_transaction_under_autocommit(self) -> None:
        if self.is_in_memory_db():
            return super()._start_transaction_under_autocommit()
        self._take_writers_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writers_lock()
            raise

    def _take_writers_lock(self) -> None:
        name = str(self.settings_dict["NAME"])
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        lock = _process_lock(name)
        if not lock.acquire(timeout=timeout):
            self._locked()
        try:
            if self._writer_file is None:
                self._writer_file = os.open(f"{name}-writer", os.O_RDWR | os.O_CREAT, 0o600)
            pause = 0.0002
            while not _try_flock(self._writer_file):
                if time.monotonic() > deadline:
                    self._locked()
                time.sleep(pause)
                pause = min(pause * 2, 0.0005)
        except BaseException:
            lock.release()
            raise
        self._writing = lock

    def _locked(self) -> None:
        """Raise what SQLite's BEGIN raises after its timeout, as Django raises it."""
        with self.wrap_database_errors:
            raise self.Database.OperationalError("database is locked")

    def _release_writers_lock(self) -> None:
        lock, self._writing = self._writing, None
        if lock is not None:
            fcntl.flock(self._writer_file, fcntl.LOCK_UN)
            lock.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writers_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writers_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writers_lock()
            if self._writer_file is not None:
                os.close(self._writer_file)
                self._writer_file = None


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True
