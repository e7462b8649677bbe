"""`fangfan documents plan --unit CODE -o FILE.docx [--language en]`: the work plan."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangfan.core.models import Unit
from fangfan.documents import plan


class Command(BaseCommand):
    help = "Generate documents from a unit's records."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="document", required=True)
        p = sub.add_parser("plan", help="the counter-terrorism prevention work plan (.docx)")
        p.add_argument("--unit", required=True, help="unit code")
        p.add_argument("-o", "--output", required=True, help="file to write (.docx)")
        p.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, **options) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit with code {options['unit']!r}")
        out = Path(options["output"])
        out.write_bytes(plan.build(unit, options["language"]))
        self.stdout.write(f"{out} ({out.stat().st_size} bytes)")
