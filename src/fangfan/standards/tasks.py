"""Background re-evaluation: a unit's results are recomputed shortly after any of its
records change. Recomputing is idempotent, so duplicate or late runs are harmless."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fangfan.standards import engine


@db_task()
def reevaluate(unit_paths: list[str]) -> int:
    return engine.evaluate_units(unit_paths)


@db_periodic_task(crontab(hour="1", minute="5"))
def daily_evaluation_and_calendar() -> dict:
    """Nightly: re-evaluate everything (time-based facts move), snapshot the authorities'
    figures for the trend charts, then the calendar."""
    from fangfan.core.models import Unit
    from fangfan.standards import calendar, snapshots

    roots = list(Unit.objects.filter(parent=None).values_list("path", flat=True))
    engine.evaluate_subtree(roots)  # keeps the tallies exact, so snapshots read them
    snapshots.take()
    return calendar.tick()
