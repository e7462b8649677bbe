"""One date style per language, named in templates rather than spelled out in each."""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.utils import formats, translation

import fangfan

MOMENT = datetime.datetime(2026, 3, 1, 8, 5)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dates_are_iso_in_every_language(language):
    with translation.override(language):
        assert formats.date_format(MOMENT.date(), "DATE_FORMAT") == "2026-03-01"
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "2026-03-01 08:05"
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == "2026-03-01 08:05"


def test_templates_name_their_date_format():
    literal = re.compile(r'\|(?:date|time):"(?![A-Z_]+")')
    root = Path(fangfan.__file__).parent
    offenders = [f"{p.relative_to(root)}: {m.group(0)}" for p in root.rglob("*.html")
                 if "vendor" not in p.parts for m in literal.finditer(p.read_text())]
    assert offenders == []
