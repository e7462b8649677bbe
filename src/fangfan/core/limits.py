"""Limits on what a record's fields accept, derived from the field types, so that every
form, API serializer and service write refuses the same hostile input with a message
(docs/architecture.md, "Bad input"): text without a max_length, numbers beyond what both
databases store (SQLite takes 64-bit integers where PostgreSQL stops at 32), dates
outside 1900–2100, and invisible or control characters."""
from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core import validators
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import models
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

# A text field without its own max_length (notes, descriptions) takes this many characters.
TEXT_MAX_LENGTH = 10_000
# Years a date or time may fall in: enough for a founding date and a 75-year lease, and
# far from the ends where date arithmetic and time zones overflow.
YEAR_MIN, YEAR_MAX = 1900, 2100
# The range of each integer type on PostgreSQL, applied on SQLite too (it stores 64 bits
# in any integer column), so a value saved in the embedded setup moves to PostgreSQL.
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "SmallIntegerField": (-32_768, 32_767),
    "PositiveSmallIntegerField": (0, 32_767),
    "IntegerField": (-2_147_483_648, 2_147_483_647),
    "PositiveIntegerField": (0, 2_147_483_647),
    "BigIntegerField": (-9_223_372_036_854_775_808, 9_223_372_036_854_775_807),
    "PositiveBigIntegerField": (0, 9_223_372_036_854_775_807),
}
# What a person types into a count, a number of days or a year: nine digits. A model
# sets another maximum per field in `UnitRecord.number_limits` (within the type's range).
SANE_INTEGER_MAX = 999_999_999
# A float field (derived results only) stays within what people count.
FLOAT_RANGE = (-1e12, 1e12)
# Line breaks and tabs are text; other control characters, format characters (zero-width
# spaces, direction overrides, a stray BOM) and lone surrogates are not.
ALLOWED_CONTROLS = {"\t", "\n", "\r"}
REFUSED_CATEGORIES = {"Cc", "Cf", "Cs"}


@deconstructible
class YearRangeValidator:
    """A date or datetime within YEAR_MIN..YEAR_MAX (compares the year only: comparing an
    aware year-1 datetime with a bound would itself overflow)."""

    message = _("Enter a date between %(min)s and %(max)s.")
    code = "date_range"

    def __call__(self, value) -> None:
        if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
            raise ValidationError(self.message, code=self.code,
                                  params={"min": YEAR_MIN, "max": YEAR_MAX})

    def __eq__(self, other) -> bool:
        return isinstance(other, YearRangeValidator)


@deconstructible
class VisibleTextValidator:
    """Refuses control, format and surrogate characters, which show as nothing (or turn
    the text around) on a page and in an export, and which PostgreSQL may refuse."""

    message = _("Remove the invisible or control characters from this text.")
    code = "invisible_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and any(
                unicodedata.category(ch) in REFUSED_CATEGORIES and ch not in ALLOWED_CONTROLS
                for ch in value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, VisibleTextValidator)


def text_max_length(field: models.Field) -> int | None:
    """The length a text field takes: its own, else TEXT_MAX_LENGTH for a TextField."""
    if isinstance(field, models.TextField):
        return field.max_length or TEXT_MAX_LENGTH
    return None


def number_range(field: models.Field, limits: dict[str, int] | None = None
                 ) -> tuple[float | None, float | None]:
    """(min, max) of a number field: the integer type's range, within it the model's
    maximum for the field (`UnitRecord.number_limits`, else SANE_INTEGER_MAX), narrowed
    by the bounds of the field's own validators."""
    kind = field.get_internal_type()
    low, high = INTEGER_RANGES.get(kind, FLOAT_RANGE if kind == "FloatField" else (None, None))
    if kind in INTEGER_RANGES:
        high = min(high, (limits or {}).get(field.name, SANE_INTEGER_MAX))
    for v in field._validators:  # the model's own, not the database backend's
        if isinstance(v, validators.MinValueValidator) and not callable(v.limit_value):
            low = v.limit_value if low is None else max(low, v.limit_value)
        if isinstance(v, validators.MaxValueValidator) and not callable(v.limit_value):
            high = v.limit_value if high is None else min(high, v.limit_value)
    return low, high


def validators_for(field: models.Field, limits: dict[str, int] | None = None) -> list:
    """Validators a field's value must pass beyond the model's own (forms, serializers
    and UnitRecord.clean_fields add these)."""
    if isinstance(field, (models.DateField, models.DateTimeField)):
        return [YearRangeValidator()]
    if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
        found: list = [VisibleTextValidator()]  # a NUL is a control character too
        length = text_max_length(field)
        if length and not field.max_length:
            found.append(validators.MaxLengthValidator(length))
        return found
    if isinstance(field, (models.IntegerField, models.FloatField)) and not field.choices:
        low, high = number_range(field, limits)
        found = []
        if low is not None:
            found.append(validators.MinValueValidator(low))
        if high is not None:
            found.append(validators.MaxValueValidator(high))
        return found
    return []


class RequestTooLarge(APIException):
    """A body beyond DATA_UPLOAD_MAX_MEMORY_SIZE: 413, naming the limit."""

    status_code = 413
    default_code = "request_too_large"

    def __init__(self):
        super().__init__(too_large_message())


def too_large_message(limit: int | None = None) -> str:
    return _("The request is too large: at most %(size)s may be sent.") % {
        "size": filesizeformat(limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}


class BodyLimitMiddleware:
    """Answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE with 413 and a translated message
    (API: JSON; pages: the message page), before anything reads it. Django itself would
    raise RequestDataTooBig while the CSRF check reads the form, which it answers as a
    bare 400. File parts of a multipart body count towards MAX_UPLOAD_BYTES instead,
    refused by the declared length before Django spools the files to temporary disk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH"):
            if self.upload_too_large(request):
                return self.refuse(request, settings.MAX_UPLOAD_BYTES)
            if self.too_large(request):
                return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def upload_too_large(request) -> bool:
        if request.content_type != "multipart/form-data":
            return False
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0) > settings.MAX_UPLOAD_BYTES
        except ValueError:
            return False

    @staticmethod
    def too_large(request) -> bool:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None:
            return False
        multipart = request.content_type == "multipart/form-data"
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit and not multipart:
            return True
        if multipart:
            try:
                request.POST.keys()  # counts the form's fields, not its files
            except RequestDataTooBig:
                return True
        return False

    @staticmethod
    def refuse(request, limit: int | None = None):
        message = too_large_message(limit)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return render(request, "413.html", {"message": message}, status=413)
