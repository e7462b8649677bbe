"""`fangfan grant USER UNIT ROLE`: give a user a role on a unit (and its subtree)."""
from django.core.management.base import BaseCommand, CommandError

from fangfan.core import services
from fangfan.core.models import Role, Unit, User


class Command(BaseCommand):
    help = "Grant a role on a unit. Roles: " + ", ".join(r.value for r in Role)

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("unit", help="unit code")
        parser.add_argument("role", choices=[r.value for r in Role])

    def handle(self, *args, **options) -> None:
        try:
            user = User.objects.get(username=options["username"])
            unit = Unit.objects.get(code=options["unit"])
        except (User.DoesNotExist, Unit.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        services.grant_role(None, user, unit, options["role"])
        self.stdout.write(f"{user.username} is {options['role']} of {unit.name} ({unit.code})")
