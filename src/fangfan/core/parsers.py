"""The API's JSON parser: bodies within the size limit and nested at most MAX_DEPTH deep.
Python's parser recurses once per level, so a body of ten thousand '[' raised a
RecursionError (a 500) before any serializer saw it; no record is nested beyond a list
of choices."""
from __future__ import annotations

import json
import re
from itertools import accumulate

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from fangfan.core.limits import RequestTooLarge

MAX_DEPTH = 400
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest, outside strings (bracket characters inside a
    string do not count). Cheap for ordinary bodies, which hold few brackets."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0  # cannot nest deeper than it has openings
    structure = re.sub(r'"[^"\\]*(?:\\.[^"\\]*)*"', "", text)
    brackets = re.sub(r"[^\[\]{}]", "", structure).encode()
    return max(accumulate(_STEP[b] for b in brackets), default=0)


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser with a size limit (DATA_UPLOAD_MAX_MEMORY_SIZE, answered 413)
    and a depth limit (answered 400), and translated messages for broken JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit else stream.read()
        if limit and len(raw) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("The body is not text in UTF-8.")) from exc
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(_("The body nests deeper than %(depth)s levels.")
                             % {"depth": MAX_DEPTH})
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            raise ParseError(_("The body is not valid JSON (line %(line)s, column "
                               "%(column)s).") % {"line": exc.lineno, "column": exc.colno}
                             ) from exc
        except (ValueError, RecursionError) as exc:  # a number of over 4,300 digits
            raise ParseError(_("The body is not valid JSON.")) from exc


def _refuse_constant(name: str):
    """NaN and Infinity are not JSON (Python's parser accepts them by default)."""
    raise ValueError(name)
