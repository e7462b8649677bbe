"""`fangfan audit verify`: prove the audit chains intact or name the first broken entry."""
from django.core.management.base import BaseCommand, CommandError

from fangfan.core import audit


class Command(BaseCommand):
    help = "Verify the tamper-evident audit log."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--chain", help="verify one chain only")

    def handle(self, *args, **options) -> None:
        problem = audit.verify(options.get("chain"))
        if problem:
            raise CommandError(f"audit chain broken: {problem}")
        from fangfan.core.models import AuditChainHead

        total = sum(h.seq for h in AuditChainHead.objects.all())
        self.stdout.write(f"audit log intact: {total} entries verified")
