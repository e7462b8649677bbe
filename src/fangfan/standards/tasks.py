"""Background re-evaluation: a unit's results are recomputed shortly after any of its
records change, once per burst of writes (`pending`). Recomputing is idempotent, so
duplicate or late runs are harmless."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fangfan.standards import engine, pending


@db_task()
def reevaluate(unit_paths: list[str]) -> int:
    """Evaluate those of the units still waiting (a task queued earlier in the burst may
    have taken them already); the markers go first, so a write committed meanwhile
    marks its unit again and queues its own run."""
    taken = pending.take(unit_paths)
    try:
        return engine.evaluate_units(taken) if taken else 0
    except Exception:
        pending.put_back(taken)
        raise


@db_periodic_task(crontab(minute="*"))
def stale_evaluations() -> int:
    """Queue again the units marked longer ago than a queued task takes (the queue
    refused the task, the worker stopped before running it, or the evaluation failed)."""
    paths = pending.stale()
    if paths:
        reevaluate.schedule(args=(paths,), delay=0)
    return len(paths)


@db_periodic_task(crontab(hour="1", minute="5"))
def daily_evaluation_and_calendar() -> dict:
    """Nightly: re-evaluate everything (time-based facts move), snapshot the authorities'
    figures for the trend charts, then the calendar."""
    from fangfan.core.models import Unit
    from fangfan.standards import calendar, snapshots

    roots = list(Unit.objects.filter(parent=None).values_list("path", flat=True))
    marked = pending.clear()  # every unit is evaluated now
    # keeps the tallies exact, so snapshots read them
    engine.evaluate_subtree(roots, incremental=True, reread=marked)
    snapshots.take()
    return calendar.tick()
