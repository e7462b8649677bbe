"""API fields that take only what the schema promises.

DRF is lenient on input: a yes/no field takes 0, 1, "yes" and "on"; a decimal takes a
number as well as its string; a related field takes "" for none and "12" for the record
12. The schema (and so every generated client) says otherwise, and a client relying on
the leniency breaks on the next server that is not. These fields refuse what their
schema type does not allow, with DRF's own translated messages.
"""
from __future__ import annotations

from rest_framework import serializers


class StrictBooleanField(serializers.BooleanField):
    """true or false (JSON), nothing that merely reads as one."""

    def to_internal_value(self, data):
        if data is None and self.allow_null:
            return None
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictDecimalField(serializers.DecimalField):
    """A decimal is sent as it is answered: a string of digits ("12.50"), so that no
    precision is lost on the way (the schema's `format: decimal`)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A record named by its number (an integer, not a string or "" for none)."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)

    # A function from a number to the record it names among those the caller may
    # choose, or None (set per request, `api.ScopedSerializer`); else DRF's lookup.
    find = None

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if self.find is None or not -2 ** 63 <= data < 2 ** 63:
            return super().to_internal_value(data)  # beyond any column: Django's answer
        found = self.find(data)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class StrictSlugRelatedField(serializers.SlugRelatedField):
    """A record named by its code (a unit): a non-empty string; null only where allowed."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("invalid")
        return super().run_validation(data)

    # A function from a code to the record it names among those the caller may choose,
    # or None (set per request for a unit, `api.ScopedSerializer`); else DRF's lookup.
    find = None

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.find is None:
            return super().to_internal_value(data)
        try:
            found = self.find(data)
        except (TypeError, ValueError):  # as DRF's lookup answers them
            self.fail("invalid")
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return found
