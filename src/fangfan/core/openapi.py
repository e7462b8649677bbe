"""The API schema's refusals: every answer an operation can give, documented.

drf-spectacular documents the success of each operation. A client (and schemathesis,
which checks every answer against the schema in CI) must also know the refusals, which
come from the generic machinery and so are the same for every record type:

- 400: the body or query failed validation (fields named), or broken JSON; a record's
  page asked to reveal what it does not offer; a delete a rule of the record refuses;
- 401: no or an expired token; 403: the role may not do this;
- 404: outside the caller's units, or no such record or page;
- 409: a delete refused because other records still depend on the record;
- 413: the body is larger than the limit; 415: a body that is not JSON;
- 429: too many requests (throttled).
"""
from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "Either `detail` (one sentence) or, for validation, each field "
                   "named with its list of messages (`non_field_errors` for the record).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

WHY = {
    "400": "The request failed validation; the fields are named.",
    "401": "Not signed in: no token, or it expired or was revoked.",
    "403": "Signed in, but the role may not do this.",
    "404": "No such record or page among the caller's units.",
    "409": "Other records still depend on this one.",
    "413": "The body is larger than the limit.",
    "415": "The body is not JSON.",
    "429": "Too many requests; try again later.",
}


def refusals(path: str, method: str) -> set[str]:
    """The refusals an operation of the generated API can answer."""
    codes = {"401", "403", "429"}
    if "{" in path:
        codes |= {"400", "404"}
    if method == "get" and "{" not in path:
        codes |= {"400", "404"}  # a filter or page refused; a page past the end
    if method in ("post", "put", "patch"):
        codes |= {"400", "413", "415"}
    if method == "delete":
        codes.add("409")
    return codes


# A time of day as the API writes and reads it ("06:50" or "06:50:00"): JSON Schema's
# `format: time` is RFC 3339's full time, with a UTC offset a school's timetable has not.
TIME_OF_DAY = {"type": "string", "pattern": r"^[0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"}


def _times_of_day(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time":
            del node["format"]
            node.update(TIME_OF_DAY)
        for value in node.values():
            _times_of_day(value)
    elif isinstance(node, list):
        for value in node:
            _times_of_day(value)


def document_refusals(result: dict[str, Any], generator, request, public) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS)."""
    _times_of_day(result.get("components", {}))
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in sorted(refusals(path, method)):
                responses.setdefault(code, {"description": WHY[code], "content": ref})
    return result
