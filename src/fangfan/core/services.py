"""The one write path. Every change to a record goes through these functions:
check scope, validate, save, audit in the same transaction, re-check visibility.
Domain apps wrap them for rules of their own (ARCHITECTURE.md, "One write path")."""
from __future__ import annotations

import functools
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangfan.core import audit, permissions
from fangfan.core.models import Unit
from fangfan.core.models.audit import AuditAction
from fangfan.core.models.units import PATH_SEGMENT_WIDTH
from fangfan.core.registry import RecordType, for_model
from fangfan.core.signals import records_changed, records_changing


def _write(function):
    """A write of the services: one transaction, its audit entries chained at its end
    (`audit.chained_at_end`), so the chain's head is held from there to the commit
    only. A domain service that calls several of these in a transaction of its own has
    each call's entries chained as the call returns."""

    @functools.wraps(function)
    def write(*args, **kwargs):
        with transaction.atomic(), audit.chained_at_end():
            return function(*args, **kwargs)

    return write


class OutOfScope(PermissionDenied):
    """The target lies outside the actor's subtree; pages and API answer 404."""


def _path_of(obj: models.Model) -> str:
    return obj.path if isinstance(obj, Unit) else obj.unit_path


# Whole sentences, so each language words the refusal its own way.
REFUSALS = {
    "view": gettext_lazy("You may not see this record."),
    "add": gettext_lazy("You may not add records here."),
    "change": gettext_lazy("You may not change this record."),
    "delete": gettext_lazy("You may not delete this record."),
    "import": gettext_lazy("You may not import records here."),
    "export": gettext_lazy("You may not export these records."),
}


def _check(actor, action: str, rt: RecordType, path: str) -> None:
    if actor is not None and not permissions.allowed(actor, action, rt, path):
        raise OutOfScope(REFUSALS.get(action, REFUSALS["change"]))


def _changed(path: str) -> None:
    """Announce that records of the unit at `path` change (`records_changing`, now) and,
    after commit, changed. Paths gather on the connection and the first on_commit
    callback sends them all, once."""
    conn = transaction.get_connection()
    records_changing.send(sender=None, unit_path=path)
    pending = conn.__dict__.setdefault("_fangfan_changed", set())
    pending.add(path)

    def fire() -> None:
        paths = set(pending)
        pending.clear()
        if paths:
            records_changed.send(sender=None, unit_paths=paths)

    # Robust: the write is committed whatever the queue does next. A queue that cannot
    # take the re-evaluation (SQLite's queue busy, Redis gone) is logged; raising would
    # answer 500 for a stored write, and a client retrying it would store it twice. The
    # nightly run evaluates every unit. Every on-commit enqueue of the project is so.
    transaction.on_commit(fire, robust=True)


def _assign(obj: models.Model, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(obj, name, value)


def _stamp_unit_path(obj: models.Model) -> None:
    """Copy the unit's path onto the record. A unit's path never changes once it is made
    (units are not moved), so the unit the caller already loaded (the form's or the
    API's choice) tells it; else it is read."""
    if not isinstance(obj, Unit):
        if obj.unit_id is None:
            raise ValidationError({"unit": _("Choose the unit this record belongs to.")})
        unit = type(obj)._meta.get_field("unit").get_cached_value(obj, default=None)
        if unit is not None and unit.pk == obj.unit_id and unit.path[:1].isdigit():
            obj.unit_path = unit.path
        else:
            obj.unit_path = Unit.objects.values_list("path", flat=True).get(pk=obj.unit_id)


def _still_visible(actor, rt: RecordType, obj: models.Model) -> None:
    """NetBox's rule: after the write, the writer must still see the row, else roll back.
    Judged on the record as written (`permissions.sees`, the scope's condition in Python):
    asking the database was a statement more inside every write."""
    if actor is None:
        return
    if not permissions.sees(actor, rt, obj):
        raise OutOfScope(_("The record would end up outside your units."))


@_write
def create_record(actor, model: type[models.Model], data: dict[str, Any]) -> models.Model:
    """Create a record of a registered type from cleaned field values."""
    if model is Unit:
        return create_unit(actor, data)
    return _create(actor, model, data, checked=True)


@_write
def create_following(actor, model: type[models.Model], data: dict[str, Any]) -> models.Model:
    """A record that follows from a write the actor was allowed to make (an inspection's
    items, copied from its checklist): validated and audited as the actor's, without the
    right to add such records by hand. Only `RecordType.services` hooks call this."""
    return _create(actor, model, data, checked=False)


def _create(actor, model: type[models.Model], data: dict[str, Any],
            checked: bool) -> models.Model:
    rt = for_model(model)
    obj = model()
    _assign(obj, data)
    _stamp_unit_path(obj)
    if checked:
        _check(actor, "add", rt, obj.unit_path)
    _follow_up(rt, "before_save", actor, obj, None)
    obj.full_clean()
    obj.save()
    audit.record(actor, obj, AuditAction.CREATE, None, audit.snapshot(obj), obj.unit_path)
    _follow_up(rt, "after_save", actor, obj, None)
    if checked:
        _still_visible(actor, rt, obj)
    _changed(obj.unit_path)
    return obj


def _follow_up(rt: RecordType, hook: str, *args: Any) -> None:
    """The record type's own rules that follow a write (`RecordType.services`, e.g. an
    open fault marks its asset faulty), in the same transaction as the write."""
    if rt.services is not None:
        getattr(rt.services, hook)(*args)


def viewed(actor, obj: models.Model) -> None:
    """`actor` opened the record's page or its API detail: the type's own rule for a read
    (`RecordServices.on_view`, e.g. a notice's read receipt). Pages and API call it after
    the scoping check; lists and exports do not."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        _follow_up(for_model(type(obj)), "on_view", actor, obj)


def logs_reads(rt: RecordType) -> bool:
    """Does the type keep a log of the lists and exports that show its records
    (`RecordServices.on_read`)? Only then are an export's rows gathered before sending."""
    from fangfan.core.registry import RecordServices

    return rt.services is not None and type(rt.services).on_read is not RecordServices.on_read


def read(actor, rt: RecordType, rows: list[models.Model], how: str) -> None:
    """`actor` was shown `rows` of `rt` in a list ("list"), an API list ("api") or an
    export ("export"): the type's own rule for it (`RecordServices.on_read`)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        _follow_up(rt, "on_read", actor, rows, how)


@_write
def update_record(actor, obj: models.Model, data: dict[str, Any]) -> models.Model:
    """Change fields of a record; moving it to another unit needs rights at both ends."""
    return _update(actor, obj, data, checked=True)


@_write
def update_following(actor, obj: models.Model, data: dict[str, Any]) -> models.Model:
    """A change that follows from a write the actor was allowed to make (a reported fault
    marks its asset faulty): validated and audited as the actor's like any update, but
    without needing the right to change `obj` itself (a guard reports faults, yet does
    not edit assets). Only `RecordType.services` hooks call this."""
    return _update(actor, obj, data, checked=False)


def _check_decided_above(actor, rt, obj: models.Model, before: dict[str, Any]) -> None:
    """Fields that decide what is required of a unit change only from above it."""
    if actor is None or not rt.decided_above:  # the system (demo, commands) is not asked
        return
    after = audit.snapshot(obj)
    changed = [name for name in rt.decided_above
               if before.get(obj._meta.get_field(name).attname)
               != after.get(obj._meta.get_field(name).attname)]
    if changed and not permissions.allowed_above(actor, "change", rt, _path_of(obj)):
        message = _("This decides what is required of the unit: its supervising "
                    "authority changes it.")
        raise ValidationError(dict.fromkeys(changed, message))


def _update(actor, obj: models.Model, data: dict[str, Any], checked: bool) -> models.Model:
    rt = for_model(type(obj))
    old_path = _path_of(obj)
    if checked:
        _check(actor, "change", rt, old_path)
    before = audit.snapshot(obj)
    if isinstance(obj, Unit) and "parent" in data and data["parent"] != obj.parent:
        raise ValidationError({"parent": _("A unit cannot be moved to another parent.")})
    _assign(obj, data)
    _stamp_unit_path(obj)
    if checked:
        _check(actor, "change", rt, _path_of(obj))
        _check_decided_above(actor, rt, obj, before)
    _follow_up(rt, "before_save", actor, obj, before)
    obj.full_clean()
    obj.save()
    after = audit.snapshot(obj)
    if after != before:
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        old = {k: before.get(k) for k in changed}
        audit.record(actor, obj, AuditAction.UPDATE, old, changed, _path_of(obj))
        _follow_up(rt, "after_save", actor, obj, before)
        _changed(_path_of(obj))
        if old_path != _path_of(obj):
            _changed(old_path)
            _move_attachments(obj)
    if checked:
        _still_visible(actor, rt, obj)
    return obj


def _move_attachments(obj: models.Model) -> None:
    """A record moved to another unit takes its evidence files along (their copied unit
    path names the new unit), in the same transaction as the move."""
    from fangfan.core import evidence  # evidence builds on this module

    evidence.follow_record(obj)


class StillReferenced(ValidationError):
    """A delete refused because other records depend on this one (PROTECT): a conflict
    with the data (the API answers 409), not a mistake in what was sent."""


@_write
def delete_record(actor, obj: models.Model) -> None:
    """Delete a record; records that others depend on are refused (PROTECT)."""
    rt = for_model(type(obj))
    path = _path_of(obj)
    _check(actor, "delete", rt, path)
    before = audit.snapshot(obj)
    pk = obj.pk
    try:
        with transaction.atomic():
            obj.delete()
    except models.ProtectedError as exc:
        raise StillReferenced(
            _("This record is still used by other records and cannot be deleted.")
        ) from exc
    obj.pk = pk
    audit.record(actor, obj, AuditAction.DELETE, before, None, path)
    _follow_up(rt, "after_delete", actor, obj)
    _changed(path)


@_write
def create_unit(actor, data: dict[str, Any]) -> Unit:
    """Create a unit under `parent` (or a root, for system administrators only)."""
    rt = for_model(Unit)
    unit = Unit()
    _assign(unit, data)
    parent = unit.parent
    if parent is None and actor is not None and not actor.is_superuser:
        raise OutOfScope(_("Only a system administrator can create a top-level unit."))
    if parent is not None:
        _check(actor, "add", rt, parent.path)
    unit.path = "~" + uuid.uuid4().hex  # placeholder until the id is known
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = (parent.path if parent else "") + str(unit.pk).zfill(PATH_SEGMENT_WIDTH)
    unit.save(update_fields=["path"])
    audit.record(actor, unit, AuditAction.CREATE, None, audit.snapshot(unit), unit.path)
    _still_visible(actor, rt, unit)
    _changed(unit.path)
    return unit


def check_grant(actor, unit_path: str, role: str) -> None:
    """Refuse unless `actor` may give (or take back) `role` there (permissions.GRANTERS)."""
    if actor is not None and role not in permissions.grantable_roles(actor, unit_path):
        raise OutOfScope(_("You may not give this role on this unit."))


@_write
def grant_role(actor, user, unit: Unit, role: str):
    """Give `user` a role on `unit` (and so its subtree); audited like any change."""
    from fangfan.core.models import RoleGrant

    check_grant(actor, unit.path, role)
    grant, created = RoleGrant.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"unit_path": unit.path})
    if created:
        audit.record(actor, grant, AuditAction.CREATE, None, audit.snapshot(grant), unit.path)
    permissions.forget_grants(user)
    return grant


@_write
def revoke_role(actor, grant) -> None:
    """Take a role back; audited. Nobody takes back their own role."""
    check_grant(actor, grant.unit_path, grant.role)
    if actor is not None and grant.user_id == actor.pk:
        raise ValidationError(_("You cannot take back your own role."))
    audit.record(actor, grant, AuditAction.DELETE, audit.snapshot(grant), None,
                 grant.unit_path)
    grant.delete()
    permissions.forget_grants(grant.user)
