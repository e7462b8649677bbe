"""Helpers shared by the tests of every app."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError


def refused(field: str, fn, *args, **kwargs) -> str:
    """Call a write that must be refused with an error on `field`; return the message."""
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    assert field in exc.value.message_dict, exc.value.message_dict
    return " ".join(exc.value.message_dict[field])


def hold_grant(rt, user, unit) -> None:
    """Give `user` on `unit` the grant a record type requires (`requires_grant`, e.g. the
    persons-of-concern ledger's), so that generated tests exercise what the role allows
    there; nothing for a type that needs none."""
    if not rt.requires_grant:
        return
    from fangfan.core import permissions, registry, services

    model = registry.get(rt.requires_grant).model
    if not model.objects.filter(user=user, unit=unit).exists():
        services.create_record(None, model, {"unit": unit, "user": user})
    permissions.forget_grants(user)


def own_row(rt, obj, user) -> None:
    """Make `obj` filed by `user` where the type limits some roles to their own records
    (`own_rows`, e.g. staff and their suspicious reports), so that generated tests see
    it as the role's own record; nothing for other types."""
    if rt.own_rows is None:
        return
    rt.model.objects.filter(pk=obj.pk).update(**{rt.own_rows.field: user})
    setattr(obj, rt.own_rows.field, user)


def api_payload(rt, data: dict) -> dict:
    """An example's values as a client reading the API's schema sends them: units by
    code, other records by number, dates and times in ISO 8601, decimals as strings."""
    import datetime as dt
    from decimal import Decimal

    from django.db import models

    out = {}
    for key, value in data.items():
        if hasattr(value, "code"):
            value = value.code
        elif isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, dt.date | dt.datetime | dt.time):
            value = value.isoformat()
        elif value is not None and isinstance(rt.model._meta.get_field(key),
                                              models.DecimalField):
            value = str(Decimal(value))
        out[key] = value
    return out


def in_thread(work) -> tuple:
    """Start `work()` in a thread of its own, as a second client of the database would
    (its own connections, closed when it ends): the thread, and the list its error lands
    in (the test asserts it stays empty)."""
    import threading

    from django.db import connections

    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 — reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors
