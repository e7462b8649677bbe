"""Background jobs (Huey). Each is idempotent: a double run or a crashed worker is
harmless (ARCHITECTURE.md)."""
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, signal
from huey.signals import SIGNAL_ERROR

from fangfan.core import audit, operations

log = logging.getLogger("fangfan.tasks")


@signal(SIGNAL_ERROR)
def count_failure(signal_name, task, *args, **kwargs) -> None:
    """Every job that raises is counted for /metrics (core.operations)."""
    operations.count_failure(task)


@db_periodic_task(crontab(hour="3", minute="17"))
def verify_audit_chains() -> str | None:
    """Nightly proof that the audit log is intact; a break is logged as an error."""
    problem = audit.verify()
    if problem:
        log.error("audit chain broken: %s", problem)
        return str(problem)
    log.info("audit chains intact")
    return None


@db_periodic_task(crontab(hour="2", minute="41"))
def purge_personal_data() -> dict[str, int]:
    """Nightly: records past their dataset's retention are deleted, each deletion
    audited (core.privacy, X-3). Idempotent: a second run finds nothing left."""
    from fangfan.core import privacy

    counts = privacy.purge()
    log.info("personal data purged: %s", counts or "nothing due")
    return counts


@db_periodic_task(crontab(hour="2", minute="53"))
def purge_expired_tokens() -> int:
    """Nightly: API tokens past their expiry are deleted (core.authentication)."""
    from fangfan.core import authentication

    return authentication.purge_expired_tokens()


@db_periodic_task(crontab(minute="*"))
def send_due_deliveries() -> int:
    """E-mails and group-robot messages that are due, every minute (core.notify)."""
    from fangfan.core import notify

    return notify.send_due()


@db_task()
def send_deliveries() -> int:
    """The same, queued right after a notification is committed, so it goes out at once."""
    from fangfan.core import notify

    return notify.send_due()
