"""`fangfan gap_hazards`: raise the hazards of gaps that were unmet before gap-raised
hazards existed (once, after upgrading; docs/inspections.md "Gap-raised hazards")."""
from django.core.management.base import BaseCommand

from fangfan.inspections import gaps


class Command(BaseCommand):
    help = "Raise a hazard for every unmet requirement that never had one (idempotent)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{gaps.backfill()} gap hazard(s) raised")
