"""Background job of patrols: every five minutes, the rounds whose window has ended are
counted once (missed and late checkpoints), the rounds nobody started included."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fangfan.patrols import services


@db_periodic_task(crontab(minute="*/5"))
def count_ended_rounds() -> int:
    return services.check_rounds()
