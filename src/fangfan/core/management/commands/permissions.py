"""`fangfan permissions --markdown`: print the role × record type × action table."""
from django.core.management.base import BaseCommand
from django.utils import translation

from fangfan.core import registry
from fangfan.core.permissions import markdown_table


class Command(BaseCommand):
    help = "Print the permission table (docs/permissions.md is generated from it)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--markdown", action="store_true")

    def handle(self, *args, **options) -> None:
        with translation.override("en"):
            self.stdout.write(markdown_table(registry.record_types()), ending="")
