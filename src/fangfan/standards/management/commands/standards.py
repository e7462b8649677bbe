"""`fangfan standards load|check|evaluate`: packs, the what-if check, evaluation."""
import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangfan.core.models import Unit
from fangfan.standards import calendar, engine, loader, snapshots, tallies, whatif


class Command(BaseCommand):
    help = "Standard packs: load them, check a what-if input, evaluate units."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="validate and install packs (default: shipped)")
        load.add_argument("files", nargs="*", type=Path)
        check = sub.add_parser("check", help="evaluate a described unit (JSON) and print JSON")
        check.add_argument("--input", required=True, help="JSON file, or - for stdin")
        check.add_argument("--packs", help="comma-separated pack URNs (default: all)")
        ev = sub.add_parser("evaluate", help="recompute and store results")
        group = ev.add_mutually_exclusive_group(required=True)
        group.add_argument("--unit", help="unit code (its whole subtree)")
        group.add_argument("--all", action="store_true")
        cal = sub.add_parser("calendar", help="create due obligations, update statuses, remind")
        cal.add_argument("--date", type=date.fromisoformat, help="as of this day (YYYY-MM-DD)")

    def handle(self, *args, **options) -> None:
        getattr(self, "do_" + options["action"])(options)

    def do_load(self, options) -> None:
        try:
            packs = loader.load(options["files"] or None)
        except loader.PacksRefused as refused:
            raise CommandError("packs refused, nothing changed:\n" + str(refused)) from refused
        for pack in packs:
            self.stdout.write(f"{pack.urn} v{pack.version}: {pack.requirements.count()} "
                              "requirements")

    def do_check(self, options) -> None:
        src = options["input"]
        try:
            text = sys.stdin.read() if src == "-" else Path(src).read_text(encoding="utf-8")
            data = json.loads(text)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read input: {exc}") from exc
        packs = [p.strip() for p in options["packs"].split(",")] if options["packs"] else None
        try:
            result = whatif.check(data, packs)
        except whatif.InputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def do_calendar(self, options) -> None:
        done = calendar.tick(options.get("date"))
        self.stdout.write(f"{done['created']} obligations created, {done['reminded']} reminded")

    def do_evaluate(self, options) -> None:
        if options["all"]:
            roots = list(Unit.objects.filter(parent=None).values_list("path", flat=True))
        else:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit with code {options['unit']!r}")
            roots = [unit.path]
        rows = engine.evaluate_subtree(roots)
        self.stdout.write(f"{rows} results written (units whose inputs changed)")
        if options["all"]:
            self.stdout.write(f"{tallies.rebuild()} tallies counted")
            self.stdout.write(f"{snapshots.take()} snapshots taken")
