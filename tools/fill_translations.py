"""Fill zh-Hans translations from a JSON {msgid: msgstr} file into the catalogue and clear
their fuzzy flags: `python tools/fill_translations.py FILE.json [--overwrite]` (without
--overwrite, entries already translated are left as they are). Used when new strings
arrive in bulk; the catalogue stays the one source (src/fangfan/locale)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "src/fangfan/locale/zh_Hans/LC_MESSAGES"


def main(source: str, overwrite: bool = False) -> None:
    strings = json.loads(Path(source).read_text(encoding="utf-8"))
    po = polib.pofile(str(CATALOGUE / "django.po"))
    for entry in po:
        # An entry already translated keeps its words: a file written for a new feature
        # must not change what an existing page says (the same msgid serves both).
        if entry.msgid in strings and not (entry.translated() and not overwrite):
            value = strings[entry.msgid]
            if isinstance(value, dict):  # {"msgid_plural": …, "msgstr[0]" (or "0"): …}
                value = value.get("msgstr[0]", value.get("0"))
            if entry.msgid_plural:  # zh-Hans has one form: msgstr[0]
                entry.msgstr_plural = {0: value}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
    po.save()
    missing = [e.msgid for e in po if not e.translated()]
    print(f"{len(missing)} untranslated" + ("".join(f"\n  {m}" for m in missing)))


if __name__ == "__main__":
    main(sys.argv[1], overwrite="--overwrite" in sys.argv[2:])
