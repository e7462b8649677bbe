"""`fangfan hazard_tallies`: recount the hazard board's counts from the hazards
(inspections.tallies.rebuild; docs/inspections.md "The board"), after data was written
behind the application's back (raw SQL, a restored table)."""
import time

from django.core.management.base import BaseCommand

from fangfan.inspections import tallies


class Command(BaseCommand):
    help = "Recount the hazard board's per-unit counts from the hazards (idempotent)."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        rows = tallies.rebuild()
        self.stdout.write(f"{rows} hazard tallies recounted in "
                          f"{time.perf_counter() - started:.1f} s")
