"""One re-evaluation per burst of writes (`standards.pending`), and none lost."""
from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from huey.contrib.djhuey import HUEY

from fangfan.core import services
from fangfan.core.tests.helpers import in_thread
from fangfan.resources.models import Person
from fangfan.standards import engine, pending, tasks
from fangfan.standards.models import PendingEvaluation, Result


def staff(unit) -> Result:
    return Result.objects.get(unit=unit, requirement__ref="R-STAFF")


def guard(unit, name: str) -> Person:
    return services.create_record(None, Person, {"unit": unit, "name": name,
                                                 "is_guard": True})


@pytest.fixture
def queued(monkeypatch) -> list[list[str]]:
    """As deployed: a worker, not immediate; the tasks queued are recorded, not run."""
    calls: list[list[str]] = []
    # The units of the fixtures' writes, gathered for a commit that a test's transaction
    # never makes (core.services._changed): not this test's writes.
    transaction.get_connection().__dict__.pop("_fangfan_changed", None)
    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(tasks.reevaluate, "schedule",
                        lambda args, delay: calls.append(list(args[0])))
    return calls


def test_marks_are_new_once_and_again_when_stale(db):
    assert pending.mark("a/") is True
    assert pending.mark("a/") is False
    PendingEvaluation.objects.filter(unit_path="a/").update(
        marked_at=time.time() - pending.STALE_SECONDS - 1)
    assert pending.mark("a/") is True  # its task did not run: queue another
    assert pending.mark("a/") is False
    assert pending.take(["a/", "b/"]) == ["a/"]
    assert pending.take(["a/"]) == []


def test_a_burst_of_writes_queues_one_evaluation_that_sees_them_all(
        tree, queued, django_capture_on_commit_callbacks):
    engine.evaluate_subtree([tree["city"].path])
    with django_capture_on_commit_callbacks(execute=True):
        guard(tree["a"], "保安甲")
    for name in ("保安乙", "保安丙"):
        with django_capture_on_commit_callbacks(execute=True):
            guard(tree["a"], name)
    with django_capture_on_commit_callbacks(execute=True):
        guard(tree["b"], "保安丁")
    assert queued == [[tree["a"].path], [tree["b"].path]]
    assert staff(tree["a"]).actual is None  # nothing evaluated yet: queued, not run
    assert tasks.reevaluate.call_local([tree["a"].path]) > 0
    assert staff(tree["a"]).actual == 3
    assert tasks.reevaluate.call_local([tree["a"].path]) == 0  # taken: nothing to do


def test_a_write_after_the_markers_were_taken_queues_again(
        tree, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        guard(tree["a"], "保安甲")
    tasks.reevaluate.call_local([tree["a"].path])
    with django_capture_on_commit_callbacks(execute=True):
        guard(tree["a"], "保安乙")
    assert queued == [[tree["a"].path], [tree["a"].path]]
    tasks.reevaluate.call_local([tree["a"].path])
    assert staff(tree["a"]).actual == 2


def test_a_rolled_back_write_leaves_no_mark(tree, queued,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                guard(tree["a"], "保安甲")
                raise RuntimeError
    assert queued == [] and not PendingEvaluation.objects.exists()


def test_a_failed_evaluation_puts_its_units_back_for_the_sweep(tree, queued, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        guard(tree["a"], "保安甲")

    def broken(paths):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(engine, "evaluate_units", broken)
    with pytest.raises(RuntimeError):
        tasks.reevaluate.call_local([tree["a"].path])
    monkeypatch.undo()
    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(tasks.reevaluate, "schedule",
                        lambda args, delay: queued.append(list(args[0])))
    assert tasks.stale_evaluations.call_local() == 1
    assert queued[-1] == [tree["a"].path]
    assert tasks.stale_evaluations.call_local() == 0  # restamped: once a minute
    tasks.reevaluate.call_local([tree["a"].path])
    assert staff(tree["a"]).actual == 1


def test_the_nightly_run_clears_every_mark(tree, queued,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        guard(tree["a"], "保安甲")
    tasks.daily_evaluation_and_calendar.call_local()
    assert not PendingEvaluation.objects.exists()
    assert staff(tree["a"]).actual == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite admits one writer at a time: the take waits by design")
@pytest.mark.django_db(transaction=True)
def test_a_write_open_while_its_unit_is_taken_marks_it_again_at_its_commit(tree, queued):
    """On PostgreSQL the mark follows the commit: a task takes the unit's marker while a
    slow write of the unit is still open; the write's commit then leaves a new marker and
    queues the task that reads it."""
    engine.evaluate_subtree([tree["city"].path])
    with transaction.atomic():
        guard(tree["a"], "保安甲")
    assert queued == [[tree["a"].path]]
    written = threading.Event()

    def slow_writer():
        with transaction.atomic():
            guard(tree["a"], "保安乙")
            written.set()
            time.sleep(0.5)

    writer, errors = in_thread(slow_writer)
    assert written.wait(10)
    tasks.reevaluate.call_local([tree["a"].path])
    writer.join(10)
    assert errors == [] and queued == [[tree["a"].path], [tree["a"].path]]
    tasks.reevaluate.call_local([tree["a"].path])
    assert staff(tree["a"]).actual == 2
