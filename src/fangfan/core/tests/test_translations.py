"""The Chinese catalogue is complete: every message of the code and templates has a
translation that is not a guess (makemessages marks its guesses fuzzy, and Django then
shows the English), so no page falls back to English in part."""
from __future__ import annotations

from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"


def test_every_message_is_translated_and_none_is_a_guess():
    po = polib.pofile(str(CATALOGUE))
    assert not [e.msgid for e in po.untranslated_entries()]
    assert not [e.msgid for e in po.fuzzy_entries()]


def test_the_compiled_catalogue_is_current():
    """The .mo is committed (no gettext tools needed to run): it must hold the .po."""
    po = polib.pofile(str(CATALOGUE))
    mo = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in mo}
    stale = [e.msgid for e in po.translated_entries()
             if compiled.get((e.msgctxt, e.msgid)) != (e.msgstr or e.msgstr_plural.get(0, ""))]
    assert not stale[:5]
