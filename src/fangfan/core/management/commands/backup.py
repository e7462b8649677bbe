"""`fangfan backup -o FILE`: the database and the evidence files in one archive, taken
while the app runs (core.backup, docs/deploy.md)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangfan.core import backup


class Command(BaseCommand):
    help = "Back up the database and the evidence files into one archive (tar.gz)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("-o", "--output", required=True, type=Path,
                            help="the archive to write, e.g. /backup/fangfan-2026-11-27.tar.gz")

    def handle(self, *args, **options) -> None:
        try:
            manifest = backup.backup(options["output"], say=self.stderr.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup written to {options['output']}: {manifest.vendor} database, "
            f"{sum(manifest.counts.values())} rows, {len(manifest.evidence)} evidence files\n"
            f"备份已写入 {options['output']}")
