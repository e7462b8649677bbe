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
