"""Background re-evaluation: a unit's results are recomputed shortly after any of its
records change. Recomputing is idempotent, so duplicate or late runs are harmless."""
from huey.contrib.djhuey import db_task

from fangfan.standards import engine


@db_task()
def reevaluate(unit_paths: list[str]) -> int:
    return engine.evaluate_units(unit_paths)
