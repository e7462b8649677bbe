"""Personal information, private by default (X-3, X-3a; PIPL).

A record type declares its personal fields and the dataset they form (`PersonalData`
on its RecordType): what kind each field is, why it is collected, on what legal basis,
and how long it is kept. The machinery masks the fields in lists, detail pages, API
answers, exports and documents for anyone without the permission to see them in full,
logs every full read, and purges expired records (the worker), each purge audited.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Kind:
    """Kinds of personal field; each has its own mask."""

    PHONE = "phone"  # 138****0001
    IDENTITY = "identity"  # 身份证号: 1101**********1234
    PLATE = "plate"  # 京A****5
    FACE = "face"  # a face photo: not shown at all
    NAME = "name"  # 张*
    ADDRESS = "address"
    CHILD = "child"  # a child's data (sensitive, PIPL Art. 28/31)


@dataclass(frozen=True)
class PersonalData:
    """The personal fields of one record type and the dataset they form.

    fields: {field name: Kind}; purpose and legal_basis: sentences (translated) shown
    at every collection point and in the dataset register; retention_days: records are
    purged this many days after `retention_from` (a date/datetime field) — None keeps
    them as long as the record itself (staff records); retention_setting: the name of
    a setting that overrides retention_days on a given installation."""

    fields: dict[str, str]
    purpose: Any
    legal_basis: Any
    retention_days: int | None = None
    retention_setting: str = ""
    retention_from: str = ""
    sensitive: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
