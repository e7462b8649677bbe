"""`fangfan purge_personal_data`: delete the records past their dataset's retention now,
as the worker does every night (core.privacy); `--register` prints the dataset register
of docs/privacy.md instead."""
from django.core.management.base import BaseCommand

from fangfan.core import privacy


class Command(BaseCommand):
    help = ("Delete records whose personal data is past its retention (each deletion "
            "audited); --register prints the dataset register (docs/privacy.md).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--register", action="store_true",
                            help="print the dataset register as Markdown and delete nothing")

    def handle(self, *args, **options) -> None:
        if options["register"]:
            self.stdout.write(privacy.register_markdown(), ending="")
            return
        counts = privacy.purge()
        for slug, count in sorted(counts.items()):
            self.stdout.write(f"{slug}: {count} deleted")
        self.stdout.write(f"{sum(counts.values())} records deleted.")
