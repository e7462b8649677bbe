"""Background jobs of information work: the daily reminders of late reports and of
follow-up tasks coming due."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fangfan.information import reporting, work


@db_periodic_task(crontab(minute="20", hour="8"))
def remind_information() -> dict[str, int]:
    """Remind late units of reporting windows and owners of follow-up tasks; idempotent
    (each reminder is claimed before it is sent)."""
    return {"reports": reporting.remind_late(), "tasks": work.remind_tasks()}
