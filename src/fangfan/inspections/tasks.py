"""Background jobs of inspections and hazards: the hourly escalation pass."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fangfan.inspections import escalation


@db_periodic_task(crontab(minute="7"))
def escalate_hazards() -> dict[str, int]:
    """Remind, flag overdue and escalate hazards; idempotent (escalation.run)."""
    return escalation.run()
