"""Making the records of roster tests through the services, as the pages do."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangfan.core import services
from fangfan.duty.models import Post, Shift
from fangfan.resources.models import Certificate, Person


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def person(unit, name: str, guard: bool = False, licence: bool = True, **extra) -> Person:
    """A person of the unit; a guard holds a licence valid for two years unless not."""
    p = services.create_record(None, Person, {"unit": unit, "name": name, "is_guard": guard,
                                              **extra})
    if guard and licence:
        services.create_record(None, Certificate, {
            "unit": unit, "person": p, "kind": "guard_licence",
            "issued_on": timezone.localdate() - dt.timedelta(days=400),
            "expires_on": timezone.localdate() + dt.timedelta(days=700)})
    return p


def post(unit, name: str = "南校门岗", kind: str = "gate", **extra) -> Post:
    return services.create_record(None, Post, {"unit": unit, "name": name, "kind": kind,
                                               **extra})


def shift(who, where, start: dt.datetime, end: dt.datetime, actor=None, **extra) -> Shift:
    return services.create_record(actor, Shift, {
        "unit": where.unit, "post": where, "person": who, "starts_at": start, "ends_at": end,
        **extra})
