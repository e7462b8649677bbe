"""`fangfan demo`: load the demo school of seed 000 and its authorities, once."""
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from fangfan.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent: does nothing if it is already there)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            users = load_demo()
        if users is None:
            self.stdout.write("demo data already present; nothing changed")
            return
        call_command("standards", "evaluate", "--all", stdout=self.stdout)
        call_command("standards", "calendar", stdout=self.stdout)
        self.stdout.write(f"demo data loaded; every demo user's password is {DEMO_PASSWORD!r}")
        for username, role, unit in users:
            self.stdout.write(f"  {username:22} {role:14} {unit}")
