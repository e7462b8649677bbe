"""`fangfan twofactor reset USER`: remove a user's second factor (a lost phone); they set
it up again at their next sign-in. Audited as done by the system."""
from django.core.management.base import BaseCommand, CommandError

from fangfan.core import twofactor
from fangfan.core.models import User


class Command(BaseCommand):
    help = "Reset a user's two-factor sign-in (a lost phone)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["reset"])
        parser.add_argument("username")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        twofactor.reset(None, user)
        self.stdout.write(f"{user.username}: two-factor sign-in reset; set up at next sign-in")
