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
