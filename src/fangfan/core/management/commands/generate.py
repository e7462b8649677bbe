"""`fangfan generate --units N`: synthetic data for benchmarks (see core.synthetic)."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from fangfan.core import synthetic


class Command(BaseCommand):
    help = "Generate synthetic units with ~100 records each under a new root syn-root."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--units", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options) -> None:
        if options["units"] < 1:
            raise CommandError("--units must be at least 1")
        started = time.perf_counter()
        try:
            totals = synthetic.generate(options["units"], options["seed"],
                                        progress=lambda m: self.stderr.write(m))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with connection.cursor() as cursor:
            # After a bulk load the planner still believes the tables are small (PostgreSQL
            # sorts a province's people for one page); autovacuum would catch up later.
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"{totals.units} units, {totals.people} people, {totals.locations} locations, "
            f"{totals.assets} assets"
            + "".join(f", {n} {what}" for what, n in totals.more.items())
            + f" in {time.perf_counter() - started:.1f} s")
