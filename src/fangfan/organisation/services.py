"""The organisation's rules that follow a write (core RecordServices): an approved new
version of a rule supersedes the one it replaces, which stays as history (ORG-7)."""
from __future__ import annotations

from typing import Any

from fangfan.core import services
from fangfan.core.registry import RecordServices
from fangfan.organisation.models import RuleDocument


class RuleServices(RecordServices):
    def after_save(self, actor, obj: RuleDocument, before: dict[str, Any] | None) -> None:
        previous = obj.supersedes if obj.supersedes_id else None
        if obj.approved_on and previous is not None and previous.superseded_on is None:
            services.update_following(actor, previous, {"superseded_on": obj.approved_on})
