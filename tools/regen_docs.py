"""Rewrite the generated tables in the docs from the code: the permission table of
docs/permissions.md and the fact table of docs/standards.md (tests check both are current).
Run: `.venv/bin/python tools/regen_docs.py`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def replace_block(path: Path, first_line: str, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index(first_line)
    end = start
    while end < len(text) and text[end] == "|":
        end = text.index("\n", end) + 1
    path.write_text(text[:start] + table + text[end:], encoding="utf-8")


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangfan.settings")
    import django

    django.setup()
    from django.utils import translation

    from fangfan.core import registry
    from fangfan.core.permissions import markdown_table
    from fangfan.standards import facts

    with translation.override("en"):
        replace_block(ROOT / "docs/permissions.md", "| record type |",
                      markdown_table(registry.record_types()))
    replace_block(ROOT / "docs/standards.md", "| name | family |",
                  facts.markdown_table())


if __name__ == "__main__":
    main()
