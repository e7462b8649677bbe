"""How the gate's own pages (the visit's steps, the printable passes, the phone panel)
show a personal field: masked by core.privacy's mask of its kind, as the lists show it
(X-3). A pass is handed to its holder and a guard works from the document in front of
them, so neither needs the value in full."""
from __future__ import annotations

from django.db import models

from fangfan.core import privacy, registry


def mask(value: str, kind: str) -> str:
    return privacy.mask(kind, value) if value else ""


def shown(user, obj: models.Model, name: str) -> str:
    """The value of personal field `name` of `obj` as the gate's pages show it."""
    declared = registry.for_model(type(obj)).personal_data
    kind = declared.fields.get(name) if declared else None
    value = getattr(obj, name)
    return mask(value, kind) if kind else str(value or "")
