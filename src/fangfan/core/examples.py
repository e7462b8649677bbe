"""Helpers for `RecordType.example`: the records an example refers to (the body of a
member, the camera of a fault) are found in the unit or made through the services."""
from __future__ import annotations

from typing import Any

from django.db import models


def in_unit(model: type[models.Model], unit, match: dict[str, Any],
            **extra: Any) -> models.Model:
    """The unit's record matching `match`, else a new one with `match` and `extra`."""
    from fangfan.core import services

    found = model.objects.filter(unit=unit, **match).first()
    return found or services.create_record(None, model, {"unit": unit, **match, **extra})
