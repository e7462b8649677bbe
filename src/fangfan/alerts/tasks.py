"""Background jobs of alert levels: telling the units after an order (queued after its
commit) and the escalation of missing acknowledgements (every five minutes)."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fangfan.alerts import escalation, notifying


@db_task()
def tell_units(order_id: int, kind: str) -> int:
    """Notify the leads of every unit under the order, in bulk, then re-evaluate the
    subtree (R-ALERT follows the level)."""
    told = notifying.tell_units(order_id, kind)
    notifying.reevaluate(order_id)
    return told


@db_periodic_task(crontab(minute="*/5"))
def escalate_acknowledgements() -> dict[str, int]:
    """Remind units that have not acknowledged, then tell the authority; idempotent."""
    return escalation.run()
