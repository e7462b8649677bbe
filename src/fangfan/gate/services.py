"""The rules of a visit's steps, run on every write path (page steps, the generic form,
the API, imports) by `VisitServices.before_save`: who may confirm, approve, check in and
out, and in which order. A check-in is one write: the watch list is read once and the
match is kept on the visit, so the check-in's audit entry records it."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import permissions, services
from fangfan.core.models import Role
from fangfan.core.prepared import first
from fangfan.core.registry import RecordServices
from fangfan.core.scoping import in_subtree
from fangfan.gate.models import (
    OPEN_STATUSES,
    Visit,
    VisitStatus,
    WatchEntry,
)

S = VisitStatus
# The head of a key location (部门负责人): the Location records no responsible person,
# so the unit's principal or unit administrator approves (docs/gate.md).
APPROVERS = {Role.PRINCIPAL, Role.UNIT_ADMIN}
# Who works the gate: the guards and the unit administrator standing in.
GATE_ROLES = {Role.GUARD, Role.UNIT_ADMIN}
# Who confirms for a host who has no account or is away.
HOST_STAND_INS = {Role.PRINCIPAL, Role.UNIT_ADMIN}
# The steps a visit may take: from status -> to statuses.
STEPS = {S.APPOINTMENT: {S.CONFIRMED, S.CANCELLED},
         S.CONFIRMED: {S.CHECKED_IN, S.CANCELLED},
         S.CHECKED_IN: {S.CHECKED_OUT},
         S.CHECKED_OUT: set(), S.CANCELLED: set()}


def _holds(user, roles: set[str], path: str) -> bool:
    """Does `user` hold one of `roles` on the unit at `path` or above it? The system
    (None) and superusers do."""
    if user is None or getattr(user, "is_superuser", False):
        return True
    return any(role in roles and in_subtree(path, [root])
               for role, root in permissions.grants(user))


def is_host(user, visit: Visit) -> bool:
    person = getattr(user, "person", None) if user is not None else None
    return person is not None and person.pk == visit.host_id


def may_confirm(user, visit: Visit) -> bool:
    return is_host(user, visit) or _holds(user, HOST_STAND_INS, visit.unit_path)


def may_approve(user, visit: Visit) -> bool:
    return _holds(user, APPROVERS, visit.unit_path)


def may_work_gate(user, visit: Visit) -> bool:
    return _holds(user, GATE_ROLES, visit.unit_path)


# The matching entry in force longest first: one without an end, then the latest end.
_LONGEST_IN_FORCE = (F("until").desc(nulls_first=True), "pk")


def watch_match(visit: Visit) -> bool:
    """Does the visitor match an entry of the unit's watch list still in force: the same
    identity number or plate, or the same name? One query, compiled once per shape
    (`prepared.first`: a check-in asks it while it holds the database), reading the
    matching entry in force longest."""
    q = Q(name=visit.visitor_name.strip())
    if visit.identity_number:
        q |= Q(identity_number=visit.identity_number)
    if visit.vehicle_plate:
        q |= Q(plate=visit.vehicle_plate)
    entry = first(WatchEntry, q & Q(unit_id=visit.unit_id), order=_LONGEST_IN_FORCE)
    return entry is not None and (entry.until is None or entry.until >= timezone.localdate())


class VisitServices(RecordServices):
    def before_save(self, actor, obj: Visit, before: dict[str, Any] | None) -> None:
        if before is None:
            self._created(actor, obj)
            return
        old = before["status"]
        if obj.approved and not before["approved"]:
            self._approve(actor, obj, old)
        elif before["approved"] and not obj.approved and old in OPEN_STATUSES:
            obj.approved_by, obj.approved_at = None, None
        if obj.status != old:
            self._step(actor, obj, S(old))

    @staticmethod
    def _created(actor, obj: Visit) -> None:
        if obj.status != S.APPOINTMENT:
            raise ValidationError({"status": _(
                "A visit starts as an appointment for its host to confirm.")})
        if obj.approved:
            raise ValidationError({"approved": _(
                "A visit is approved on its page once it is recorded.")})
        if is_host(actor, obj):  # the host's own appointment needs no confirming
            obj.status, obj.confirmed_by, obj.confirmed_at = \
                S.CONFIRMED, actor, timezone.now()

    @staticmethod
    def _approve(actor, obj: Visit, old: str) -> None:
        if old not in OPEN_STATUSES:
            raise ValidationError({"approved": _(
                "Only a visit that has not started yet is approved.")})
        if not obj.needs_approval:
            raise ValidationError({"approved": _(
                "Only a visit to a key location needs approval.")})
        if not may_approve(actor, obj):
            raise PermissionDenied(_(
                "Only the head responsible for the key location — the unit's principal or "
                "unit administrator — approves a visit to it."))
        obj.approved_by, obj.approved_at = actor, timezone.now()

    def _step(self, actor, obj: Visit, old: VisitStatus) -> None:
        new = S(obj.status)
        if new not in STEPS[old]:
            raise ValidationError({"status": self._order_refusal(old, new)})
        now = timezone.now()
        if new == S.CONFIRMED:
            if not may_confirm(actor, obj):
                raise PermissionDenied(_("Only the host, the principal or the unit "
                                         "administrator confirms a visit."))
            obj.confirmed_by, obj.confirmed_at = actor, now
        elif new in (S.CHECKED_IN, S.CHECKED_OUT):
            if not may_work_gate(actor, obj):
                raise PermissionDenied(_("Visitors are checked in and out at the gate by "
                                         "the guards."))
            if new == S.CHECKED_IN:
                self._check_in(obj, now)
            else:
                obj.checked_out_at = now

    @staticmethod
    def _order_refusal(old: VisitStatus, new: VisitStatus) -> str:
        if new == S.CHECKED_OUT:
            return _("A visitor is checked out only after being checked in.")
        if new == S.CHECKED_IN and old == S.APPOINTMENT:
            return _("The host has not confirmed this visit yet: ask the host to confirm "
                     "before letting the visitor in.")
        if new == S.CHECKED_IN:
            return _("This visit cannot be checked in: it is %(status)s.") % {
                "status": old.label}
        return _("A visit that is %(status)s cannot become %(new)s.") % {
            "status": old.label, "new": new.label}

    @staticmethod
    def _check_in(obj: Visit, now) -> None:
        errors = {}
        if not obj.document_returned:
            errors["document_returned"] = _(
                "Look at the visitor's identity document, hand it back at once, and tick "
                "this box. The document is never kept or copied.")
        if not obj.document_type:
            errors["document_type"] = _("Which document did the visitor show?")
        if obj.needs_approval and not obj.approved:
            errors["approved"] = _(
                "This visit goes to a key location: it needs the approval of the "
                "principal or the unit administrator before the visitor comes in.")
        if errors:
            raise ValidationError(errors)
        obj.checked_in_at = now
        obj.watch_match = watch_match(obj)


# --- the steps from a visit's page (and the phone panel) --------------------------------
# Each step reads the visit afresh under a lock (two guards at one visitor: the second
# sees it checked in) and leaves the caller's copy as saved, or untouched when refused.
def _step_on(visit: Visit, write) -> Visit:
    with transaction.atomic():
        fresh = Visit.objects.select_for_update().get(pk=visit.pk)
        write(fresh)
    for f in Visit._meta.concrete_fields:
        setattr(visit, f.attname, getattr(fresh, f.attname))
    return visit


def confirm(actor, visit: Visit) -> Visit:
    """The host confirms (a host need not otherwise change visits: update_following,
    the rule being who the host is, checked again in before_save)."""
    if not may_confirm(actor, visit):
        _refuse_step(_("Only the host, the principal or the unit administrator confirms a "
                       "visit."))
    return _step_on(visit, lambda v: services.update_following(
        actor, v, {"status": S.CONFIRMED}))


def approve(actor, visit: Visit) -> Visit:
    """The head's approval; taken through the services (and refused there) like any
    write, though the approver may not otherwise change visits (update_following)."""
    if not may_approve(actor, visit):
        _refuse_step(_("Only the head responsible for the key location — the unit's "
                       "principal or unit administrator — approves a visit to it."))
    return _step_on(visit, lambda v: services.update_following(actor, v, {"approved": True}))


def check_in(actor, visit: Visit, document_type: str, returned: bool,
             identity_number: str | None = None) -> Visit:
    data: dict[str, Any] = {"status": S.CHECKED_IN, "document_type": document_type,
                            "document_returned": returned}
    if identity_number:
        data["identity_number"] = identity_number
    return _step_on(visit, lambda v: services.update_record(actor, v, data))


def check_out(actor, visit: Visit) -> Visit:
    return _step_on(visit, lambda v: services.update_record(
        actor, v, {"status": S.CHECKED_OUT}))


def cancel(actor, visit: Visit) -> Visit:
    """Called off by its host (or a stand-in), or by whoever may change visits."""
    write = services.update_following if may_confirm(actor, visit) else \
        services.update_record
    return _step_on(visit, lambda v: write(actor, v, {"status": S.CANCELLED}))


def _refuse_step(message: str):
    raise PermissionDenied(message)
