"""Writing and verifying the audit hash chains (SPEC X-2).

Each top-level unit has its own chain, so writes under different roots never wait on
each other. An entry's hash is SHA-256 over its canonical JSON, which includes the
previous entry's hash; the chain head row is locked while appending."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from fangfan.core import context
from fangfan.core.models import PATH_WIDTH, AuditChainHead, AuditEntry

GENESIS = "0" * 64
# Bookkeeping timestamps: the entry has its own time, and they would make every save
# look like a change.
UNAUDITED_FIELDS = {"created_at", "updated_at"}


def chain_of(unit_path: str) -> str:
    """The chain of a record: its top-level unit's path segment."""
    return unit_path[:PATH_WIDTH] or "global"


def snapshot(obj: models.Model) -> dict[str, Any]:
    """A JSON-safe copy of the concrete fields of a record, for before/after."""
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in UNAUDITED_FIELDS:
            continue
        value = getattr(obj, f.attname)
        data[f.attname] = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return data


def canonical(entry: AuditEntry) -> bytes:
    """The bytes an entry's hash covers: every field but id and hash itself."""
    body = {
        "chain": entry.chain,
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "unit_path": entry.unit_path,
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "record_repr": entry.record_repr,
        "action": entry.action,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      cls=DjangoJSONEncoder).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def record(actor, obj: models.Model, action: str, before: dict | None,
           after: dict | None, unit_path: str) -> AuditEntry:
    """Append one entry for a change to `obj`; must run inside the change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries are written inside the change's transaction")
    chain = chain_of(unit_path)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        chain=chain, defaults={"seq": 0, "hash": GENESIS}
    )
    entry = AuditEntry(
        chain=chain,
        seq=head.seq + 1,
        created_at=_now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        unit_path=unit_path,
        record_type=obj._meta.label_lower,
        record_id=str(obj.pk),
        record_repr=str(obj)[:300],
        action=action,
        before=before,
        after=after,
        request_id=context.request_id.get(),
        prev_hash=head.hash,
    )
    entry.before, entry.after = _roundtrip(before), _roundtrip(after)
    entry.hash = entry_hash(entry)
    entry.save()
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


def _now() -> datetime:
    # Microseconds are kept by both databases, so the stored time hashes the same.
    return timezone.now()


def _roundtrip(value: Any) -> Any:
    """What the JSON column will give back, so the hash is computed over stored data."""
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@dataclass
class Break:
    chain: str
    seq: int | None
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry id={self.entry_id} seq={self.seq}" if self.entry_id else f"seq={self.seq}"
        return f"chain {self.chain}: {where}: {self.reason}"


def verify(chain: str | None = None) -> Break | None:
    """Walk the chains in order; return the first broken place, or None if intact."""
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    chains = sorted(set(heads) | set(AuditEntry.objects.values_list("chain", flat=True)))
    for name in chains if chain is None else [chain]:
        problem = _verify_chain(name, heads.get(name))
        if problem:
            return problem
    return None


def _verify_chain(name: str, head: AuditChainHead | None) -> Break | None:
    prev, expected_seq = GENESIS, 1
    entries = AuditEntry.objects.filter(chain=name).order_by("seq").iterator(chunk_size=2000)
    for e in entries:
        if e.seq != expected_seq:
            return Break(name, expected_seq, e.pk,
                         f"sequence jumps from {expected_seq - 1} to {e.seq} (entry missing)")
        if e.prev_hash != prev:
            return Break(name, e.seq, e.pk, "previous hash does not match (entry inserted "
                                            "or the one before changed)")
        if entry_hash(e) != e.hash:
            return Break(name, e.seq, e.pk, "content does not match its hash (entry changed)")
        prev, expected_seq = e.hash, e.seq + 1
    if head is None:
        return Break(name, None, None, "chain head missing") if expected_seq > 1 else None
    if head.seq != expected_seq - 1 or head.hash != prev:
        return Break(name, head.seq, None,
                     f"chain ends at seq {expected_seq - 1} but its head says {head.seq} "
                     "(entries removed from the end)")
    return None
