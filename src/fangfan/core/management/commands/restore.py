"""`fangfan restore FILE`: put a backup back, then prove it whole (row counts as in its
manifest, audit chain intact). Stop the app servers and the worker first."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangfan.core import backup


class Command(BaseCommand):
    help = ("Restore a backup made by `fangfan backup` into the configured database and "
            "evidence directory, then verify the audit chain.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true",
                            help="replace a database that already holds data")

    def handle(self, *args, **options) -> None:
        try:
            done = backup.restore(options["archive"], force=options["force"],
                                  say=self.stderr.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = done.manifest
        self.stdout.write(
            f"restored the backup of {m.created_at} (Fangfan {m.fangfan_version}): "
            f"{sum(m.counts.values())} rows as in its manifest, {len(m.evidence)} evidence "
            f"files ({done.files} written)\n"
            f"audit log intact: {done.audit_entries} entries verified\n"
            f"恢复完成，审计链校验通过（{done.audit_entries} 条）。")
        if done.pending_migrations:
            self.stdout.write(
                f"The backup is from an older version: run `fangfan migrate` before starting "
                f"the app ({len(done.pending_migrations)} migrations to apply).\n"
                f"备份来自较早版本：启动前请先运行 fangfan migrate。")
