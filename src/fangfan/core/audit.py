"""Writing and verifying the audit hash chains (SPEC X-2).

Each top-level unit has its own chain, so writes under different roots never wait on
each other. An entry's hash is SHA-256 over its canonical JSON, which includes the
previous entry's hash; the chain head row is locked while appending."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.models import sql
from django.template.defaultfilters import filesizeformat
from django.utils import dateparse, formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangfan.core import context, privacy, registry
from fangfan.core.fields import ChoiceListField
from fangfan.core.models import PATH_WIDTH, AuditChainHead, AuditEntry
from fangfan.core.prepared import Prepared

GENESIS = "0" * 64
# Bookkeeping timestamps: the entry has its own time, and they would make every save
# look like a change.
UNAUDITED_FIELDS = {"created_at", "updated_at"}


def chain_of(unit_path: str) -> str:
    """The chain of a record: its top-level unit's path segment. (One chain per unit,
    so that schools stop waiting for each other's commits, has its columns ready (255
    characters) but is not switched on: with it a browser test on PostgreSQL lost its
    connection inside a transaction in 2 of 6 runs, and never in 4 without; see
    docs/benchmarks.md.)"""
    return unit_path[:PATH_WIDTH] or "global"


def snapshot(obj: models.Model) -> dict[str, Any]:
    """A JSON-safe copy of the concrete fields of a record, for before/after."""
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in UNAUDITED_FIELDS:
            continue
        value = getattr(obj, f.attname)
        if getattr(f, "secret", False) and value:  # core SecretField: never the value
            value = "••••" + hashlib.sha256(
                f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:8]
        data[f.attname] = value
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # each value made JSON


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
           after: dict | None, unit_path: str) -> None:
    """Append one entry for a change to `obj`; must run inside the change's transaction.
    Inside a write of the services (`chained_at_end`) the entry is chained when that
    write ends, else at once."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("audit entries are written inside the change's transaction")
    entry = _entry(actor, obj, action, before, after, unit_path)
    pending = conn.__dict__.get(_PENDING)
    if pending is None:
        _chain([entry])
        return
    marker = _Pending(entry)
    transaction.on_commit(marker, robust=True)  # forgotten with a rolled-back savepoint
    pending.append(marker)


def record_many(actor, changes: Iterable[tuple[models.Model, str, dict | None,
                                               dict | None, str]]) -> int:
    """Append entries for many changes (obj, action, before, after, unit_path) at once,
    as `record` would one by one: each chain's head locked once, its entries chained in
    order and inserted together (records written in bulk by the system, e.g. hazards
    raised by compliance gaps). Must run inside the changes' transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries are written inside the change's transaction")
    entries = [_entry(actor, *change) for change in changes]
    _chain(entries)
    return len(entries)


_PENDING = "_fangfan_audit_pending"


class _Pending:
    """An entry waiting for its write to end, registered as a (no-op) on-commit callback
    so that Django's own bookkeeping drops it when its savepoint is rolled back."""

    def __init__(self, entry: AuditEntry) -> None:
        self.entry = entry

    def __call__(self) -> None:
        pass


@contextmanager
def chained_at_end():
    """Entries recorded inside are chained when the block ends, still inside its
    transaction: the chain head (one row, locked until commit, that every write under
    the same top-level unit waits for) is then held only for the last statements of the
    write and its commit, not from its first change on (docs/benchmarks.md). Entries of
    a savepoint rolled back inside are dropped; an error drops them all. Nested blocks
    leave the chaining to the outermost."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("chained_at_end runs inside the write's transaction")
    if _PENDING in conn.__dict__:
        yield
        return
    pending: list[_Pending] = []
    conn.__dict__[_PENDING] = pending
    try:
        yield
        mine = {id(marker) for marker in pending}
        alive = {id(func) for _sids, func, _robust in conn.run_on_commit}
        conn.run_on_commit = [c for c in conn.run_on_commit if id(c[1]) not in mine]
        _chain([marker.entry for marker in pending if id(marker) in alive])
    finally:
        conn.__dict__.pop(_PENDING, None)


def _entry(actor, obj: models.Model, action: str, before: dict | None,
           after: dict | None, unit_path: str) -> AuditEntry:
    """An entry for a change, not yet chained (`_chain`)."""
    return AuditEntry(
        chain=chain_of(unit_path), actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system", unit_path=unit_path,
        record_type=obj._meta.label_lower, record_id=str(obj.pk),
        record_repr=str(obj)[:300], action=action, before=_kept(obj, before),
        after=_kept(obj, after), request_id=context.request_id.get())


def _chain(entries: list[AuditEntry]) -> None:
    """Chain and insert entries in their order: each chain's head locked (in a fixed
    order of chains) and advanced once. Through SQL compiled once (`_take`, `_insert`,
    `_advance`): Django compiling these statements anew was most of the time a write
    holds the chain's head (PostgreSQL) or the database (SQLite) at its end; on
    PostgreSQL a write's one entry is inserted and the head advanced in one statement,
    so the head is held for two round trips and the commit (docs/benchmarks.md)."""
    by_chain: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_chain.setdefault(entry.chain, []).append(entry)
    for chain in sorted(by_chain):
        group = by_chain[chain]
        seq, last = _take(chain, len(group))
        for entry in group:
            entry.seq, entry.prev_hash, entry.created_at = seq + 1, last, _now()
            entry.hash = entry_hash(entry)
            seq, last = entry.seq, entry.hash
        if len(group) == 1:
            _insert(group[0], advancing=(seq, last, chain))
        else:
            AuditEntry.objects.bulk_create(group, batch_size=1000)
            _advance(seq, last, chain)


# The head of a chain, locked until the commit (FOR UPDATE where the database has it;
# SQLite's one writer holds the whole database), for a database that cannot answer an
# UPDATE with RETURNING.
_HEAD = Prepared(lambda chain: AuditChainHead.objects.select_for_update().filter(
    chain=chain).values_list("seq", "hash"), "\x00chain\x00")


@cache
def _head_sql(using: str, sql_text: str) -> str:
    """A statement on the chain heads' table, quoted for the database (once each)."""
    ops = connections[using].ops
    return sql_text.format(table=ops.quote_name(AuditChainHead._meta.db_table),
                           seq=ops.quote_name("seq"), hash=ops.quote_name("hash"),
                           chain=ops.quote_name("chain"))


def _take(chain: str, count: int) -> tuple[int, str]:
    """The chain's head before `count` entries (its sequence number and hash), locked
    until the commit and, where the database answers an UPDATE with RETURNING, already
    moved on by `count` in the same statement. A chain's head is made on first use."""
    connection = connections[_using()]
    if connection.features.can_return_columns_from_insert:  # RETURNING: SQLite 3.35+
        with connection.cursor() as cursor:
            cursor.execute(_head_sql(_using(), "UPDATE {table} SET {seq} = {seq} + %s "
                                                "WHERE {chain} = %s RETURNING {seq}, {hash}"),
                           [count, chain])
            found = cursor.fetchone()
        if found is not None:
            return found[0] - count, found[1]
    else:
        rows = _HEAD.rows(chain, using=_using())
        if rows:
            return rows[0]
    AuditChainHead.objects.select_for_update().get_or_create(
        chain=chain, defaults={"seq": 0, "hash": GENESIS})
    return _take(chain, count)


_ADVANCE = "UPDATE {table} SET {seq} = %s, {hash} = %s WHERE {chain} = %s"


def _advance(seq: int, last: str, chain: str) -> None:
    with connections[_using()].cursor() as cursor:
        cursor.execute(_head_sql(_using(), _ADVANCE), [seq, last, chain])


_INSERTS: dict[str, tuple] = {}


def _insert(entry: AuditEntry, advancing: tuple[int, str, str]) -> None:
    """INSERT one entry and advance its chain's head to it (`advancing`: seq, hash,
    chain): Django's SQL for one row, compiled once per database, each value prepared by
    Django's own compiler as `bulk_create` prepares it. PostgreSQL does both in one
    statement (a data-modifying WITH), SQLite in two."""
    using = _using()
    connection = connections[using]
    compiled = _INSERTS.get(using)
    if compiled is None:
        fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
        query = sql.InsertQuery(AuditEntry)
        query.insert_values(fields, [entry])
        compiler = query.get_compiler(using=using)
        [(statement, _params)] = compiler.as_sql()
        combined = connection.vendor == "postgresql"
        if combined:
            statement = f"WITH entry AS ({statement}) {_head_sql(using, _ADVANCE)}"
        compiled = _INSERTS[using] = (statement, fields, compiler, combined)
    statement, fields, compiler, combined = compiled
    params = [compiler.prepare_value(f, compiler.pre_save_val(f, entry)) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *advancing] if combined else params)
    if not combined:
        _advance(*advancing)


def _using() -> str:
    return router.db_for_write(AuditEntry)


def _now() -> datetime:
    # Microseconds are kept by both databases, so the stored time hashes the same.
    return timezone.now()


def _kept(obj: models.Model, snapshot: dict | None) -> dict | None:
    """A snapshot as the chain keeps it: personal values masked with a digest
    (core.privacy), so none outlives its record's purge in an entry nobody may delete."""
    return _roundtrip(privacy.audit_snapshot(obj._meta.label_lower, snapshot))


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


# --- Reading entries: how an entry is shown. What is stored is never changed (the hashes
# cover it); labels, names and times are worked out when the entry is read.

# Audited changes to things that are not record types: accounts and their roles.
OTHER_AUDITED = ("core.user", "core.rolegrant", "core.personaldatagrant")
# Bookkeeping columns nobody needs to read (ids, tree paths; an attachment's row id, whose
# file name is shown instead).
HIDDEN_KEYS = {"id", "path", "unit_path", "attachment"}
# Keys written by entries that are not a model field (file attachments, accounts).
EXTRA_LABELS = {
    "filename": gettext_lazy("file"), "size": gettext_lazy("size"), "sha256": "SHA-256",
    "name": gettext_lazy("name"), "generated": gettext_lazy("generated"),
    "second_factor": gettext_lazy("two-factor sign-in"),
}
# What happened to a user's second factor (core.twofactor), as stored and as read.
SECOND_FACTOR_EVENTS = {
    "enabled": gettext_lazy("set up"), "reset": gettext_lazy("reset by an administrator"),
    "recovery_code_used": gettext_lazy("a recovery code used"),
}


@dataclass
class Change:
    """One field of an entry as people read it: its label and the value before/after."""

    label: str
    before: str
    after: str


@dataclass
class ShownEntry:
    entry: AuditEntry
    type_name: str
    actor: str
    changes: list[Change] = dataclass_field(default_factory=list)


def type_name(label: str) -> str:
    """A stored record type (`resources.asset`) as its name in the reader's language."""
    rt = registry.for_label(label)
    if rt is not None:
        return rt.verbose_name
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return _("record")


def present(entries: Iterable[AuditEntry]) -> list[ShownEntry]:
    """Entries with their type name and readable changes. Related records are named with
    one query per related model for the whole batch, however many entries there are."""
    entries = list(entries)
    names = _related_names(entries)
    actors = _actors(entries)
    return [ShownEntry(e, type_name(e.record_type), _actor(e, actors), _changes(e, names))
            for e in entries]


def _actors(entries: list[AuditEntry]) -> dict[int, models.Model]:
    """The acting users in one query for the batch (none if the page joined them)."""
    found = {e.actor_id: e.actor for e in entries
             if e.actor_id and AuditEntry.actor.is_cached(e)}
    missing = {e.actor_id for e in entries if e.actor_id and e.actor_id not in found}
    if missing:
        users = AuditEntry.actor.field.related_model._default_manager
        found.update((u.pk, u) for u in users.filter(pk__in=missing))
    return found


def _actor(entry: AuditEntry, users: dict[int, models.Model]) -> str:
    """Who acted, by name; the stored user name if the account is gone or has no name;
    changes by the system itself (demo data, scripts) say so in the reader's language."""
    user = users.get(entry.actor_id)
    if user is not None:
        return str(user)
    return _("System") if entry.actor_name == "system" else entry.actor_name


@cache
def _fields(label: str) -> dict[str, models.Field]:
    """The concrete fields of a stored record type by the key the snapshot uses."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return {}
    return {f.attname: f for f in model._meta.concrete_fields}


def _related_names(entries: list[AuditEntry]) -> dict[tuple[type, str], str]:
    wanted: dict[type[models.Model], set[str]] = {}
    for e in entries:
        fields = _fields(e.record_type)
        for values in (e.before or {}, e.after or {}):
            for key, value in values.items():
                f = fields.get(key)
                if f is not None and f.is_relation and value not in (None, ""):
                    wanted.setdefault(f.related_model, set()).add(str(value))
    names: dict[tuple[type, str], str] = {}
    for model, ids in wanted.items():
        # One level of the related model's own relations, which its name may use.
        joins = [f.name for f in model._meta.concrete_fields if f.is_relation]
        for obj in model._default_manager.select_related(*joins).filter(pk__in=ids):
            names[(model, str(obj.pk))] = str(obj)
    return names


def _changes(entry: AuditEntry, names: dict[tuple[type, str], str]) -> list[Change]:
    fields = _fields(entry.record_type)
    before, after = entry.before or {}, entry.after or {}
    order = {k: i for i, k in enumerate(fields)}
    keys = sorted((k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN_KEYS),
                  key=lambda k: order.get(k, len(order)))
    def shown(k: str, values: dict) -> str:
        if k not in values:
            return ""
        text = _value(k, fields.get(k), values.get(k), names)
        return privacy.shown_in_audit(entry.record_type, k, text)  # personal: masked

    return [Change(_label(k, fields.get(k)), shown(k, before), shown(k, after)) for k in keys]


def _label(key: str, f: models.Field | None) -> str:
    return capfirst(f.verbose_name if f is not None else EXTRA_LABELS.get(key, _("other")))


def _value(key: str, f: models.Field | None, value: Any,
           names: dict[tuple[type, str], str]) -> str:
    """A stored value as text: names for related records, labels for choices."""
    if key == "password":  # only ever "changed"; never shown, even if it were more
        return _("changed")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if f is None:
        return _extra_value(key, value)
    if f.is_relation:
        return names.get((f.related_model, str(value)), _("(deleted)"))
    if isinstance(f, ChoiceListField):
        return f.display(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    return _typed_value(f, value)


def _typed_value(f: models.Field, value: Any) -> str:
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        moment = dateparse.parse_datetime(value)
        return exact_time(moment) if moment else value
    if isinstance(f, models.DateField) and isinstance(value, str):
        day = dateparse.parse_date(value)
        return formats.date_format(day, "DATE_FORMAT") if day else value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _extra_value(key: str, value: Any) -> str:
    if key == "size" and isinstance(value, int):
        return str(filesizeformat(value))
    if key == "second_factor":
        return str(SECOND_FACTOR_EVENTS.get(value, value))
    return str(value)


def exact_time(moment: datetime) -> str:
    """A time to the second in the reader's time zone, in the language's date style."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, formats.get_format("DATETIME_FORMAT") + ":s")
