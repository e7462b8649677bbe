"""SQLite writers queue on a lock that hands over (core.sqlite): a second writer waits
for the first and then writes, in this process or another; the lock goes with a commit,
a rollback or a closed connection; a wait past the timeout fails as SQLite's would."""
from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time

import pytest
from django.db import OperationalError

from fangfan.core.sqlite.base import DatabaseWrapper

_names = itertools.count()


def _writer(path, timeout: float = 5) -> DatabaseWrapper:
    settings = {"ENGINE": "fangfan.core.sqlite", "NAME": str(path), "USER": "",
                "PASSWORD": "", "HOST": "", "PORT": "", "ATOMIC_REQUESTS": False,
                "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
                "TIME_ZONE": None, "TEST": {},
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout,
                            "init_command": "PRAGMA journal_mode=WAL;"}}
    return DatabaseWrapper(settings, alias=f"writers-{next(_names)}")


def _begin(conn: DatabaseWrapper) -> None:
    conn.ensure_connection()
    conn._start_transaction_under_autocommit()


def _rows(conn: DatabaseWrapper) -> list:
    with conn.cursor() as cursor:
        cursor.execute("SELECT who FROM t ORDER BY rowid")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These connections are the tests' own files, not the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "w.sqlite3"
    conn = _writer(path)
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE t (who TEXT)")
    conn.close()
    return path


def _write_in_thread(path, who: str, done: list, timeout: float = 5) -> threading.Thread:
    def write():
        conn = _writer(path, timeout)
        try:
            _begin(conn)
            with conn.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (%s)", [who])
            conn.commit()
            done.append((who, time.monotonic()))
        except Exception as exc:  # noqa: BLE001 — reported by the test
            done.append((who, exc))
        finally:
            conn.close()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_second_writer_waits_for_the_first_then_writes(database):
    first = _writer(database)
    _begin(first)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES ('first')")
    done: list = []
    second = _write_in_thread(database, "second", done)
    time.sleep(0.3)
    assert done == []  # waiting, not failed
    committed = time.monotonic()
    first.commit()
    second.join(5)
    assert len(done) == 1 and done[0][1] >= committed
    assert _rows(first) == ["first", "second"]
    first.close()


@pytest.mark.parametrize("end", ["rollback", "close"])
def test_a_rollback_or_a_closed_connection_frees_the_writers(database, end):
    first = _writer(database)
    _begin(first)
    getattr(first, end)()
    done: list = []
    _write_in_thread(database, "next", done, timeout=0.5).join(5)
    assert done[0][0] == "next" and isinstance(done[0][1], float)


def test_a_wait_past_the_timeout_fails_as_sqlite_would(database):
    first = _writer(database)
    _begin(first)
    done: list = []
    _write_in_thread(database, "late", done, timeout=0.3).join(5)
    first.rollback()
    assert isinstance(done[0][1], OperationalError)
    assert "database is locked" in str(done[0][1])
    first.close()


def test_a_writer_of_another_process_is_waited_for(database):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time\n"
        f"f = open({str(database) + '-writer'!r}, 'a')\n"
        "fcntl.flock(f, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(0.5)\n")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    start = time.monotonic()
    conn = _writer(database)
    _begin(conn)
    waited = time.monotonic() - start
    conn.rollback()
    conn.close()
    holder.wait(5)
    assert waited > 0.2
