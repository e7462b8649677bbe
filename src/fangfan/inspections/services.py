"""Rules of inspections and hazards that follow from who acts (core.registry
RecordServices): the lifecycle of a hazard moves only by its steps, a supervisory
inspection is carried out by its authority's people, an inspection copies its checklist,
and a finished inspection fulfils its calendar obligation."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import audit, permissions, registry, services
from fangfan.core.models import Unit
from fangfan.core.registry import RecordServices
from fangfan.inspections import checklists
from fangfan.inspections.models import (
    TRANSITIONS,
    Finding,
    Hazard,
    HazardSource,
    HazardStatus,
    HazardStep,
    Inspection,
    InspectionKind,
    ItemResult,
    StepKind,
)
from fangfan.standards import calendar

# R-SUPV: inspections by the supervising authority each semester.
SUPERVISIONS_PER_SEMESTER = 2


def _may(actor, action: str, slug: str, path: str) -> bool:
    return actor is None or permissions.allowed(actor, action, registry.get(slug), path)


class InspectionServices(RecordServices):
    def before_save(self, actor, obj: Inspection, before: dict[str, Any] | None) -> None:
        """A supervisory inspection is entered by the people of the inspecting authority;
        only the unit's own supervisor (the unit directly above it) counts for R-SUPV."""
        if obj.authority_id:
            authority = Unit.objects.only("path").get(pk=obj.authority_id)
            if not _may(actor, "add", "inspections", authority.path):
                raise ValidationError({"authority": _(
                    "You do not carry out inspections for this authority.")})
        unit = Unit.objects.only("parent_id").get(pk=obj.unit_id)
        obj.by_supervisor = bool(obj.authority_id) and obj.authority_id == unit.parent_id
        if before is not None and before.get("kind") != obj.kind and obj.findings.exists():
            raise ValidationError({"kind": _("The kind of an inspection with checked items "
                                             "cannot change.")})

    def after_save(self, actor, obj: Inspection, before: dict[str, Any] | None) -> None:
        if before is None:
            items = (obj.checklist.item_list if obj.checklist_id
                     else checklists.items_for(obj.kind))
            for number, item in enumerate(items, start=1):
                services.create_following(actor, Finding, {
                    "unit": obj.unit, "inspection": obj, "number": number,
                    "item": item[:500]})


@transaction.atomic
def complete(actor, inspection: Inspection, on=None) -> Inspection:
    """Finish an inspection (today, or `on` when recorded afterwards): every item
    checked. A finished self-inspection fulfils the month's obligation (R-SELF); the
    second by the supervisor fulfils the semester's (R-SUPV)."""
    if inspection.completed_on:
        raise ValidationError(_("This inspection is already finished."))
    if inspection.findings.filter(result=ItemResult.OPEN).exists():
        raise ValidationError(_("Check every item before finishing the inspection."))
    on = on or timezone.localdate()
    if not inspection.inspected_on <= on <= timezone.localdate():
        raise ValidationError(_("An inspection is finished between its day and today."))
    services.update_record(actor, inspection, {"completed_on": on})
    _fulfil(actor, inspection)
    return inspection


def _fulfil(actor, inspection: Inspection) -> None:
    day = inspection.inspected_on
    if inspection.kind == InspectionKind.SELF:
        calendar.fulfil(actor, inspection.unit_id, "R-SELF", day, inspection,
                        _("Self-inspection of %(date)s.") % {"date": day})
    elif inspection.by_supervisor:
        def count(start, end) -> int:
            return Inspection.objects.filter(
                unit_id=inspection.unit_id, by_supervisor=True,
                completed_on__isnull=False, inspected_on__range=(start, end)).count()

        calendar.fulfil(actor, inspection.unit_id, "R-SUPV", day, inspection,
                        _("Supervisory inspections of the semester recorded."),
                        enough=lambda ob: count(ob.period_start, ob.period_end)
                        >= SUPERVISIONS_PER_SEMESTER)


@calendar.fulfiller("R-SELF")
def _catch_up_self(obligations) -> int:
    """Close R-SELF obligations whose month already has a finished self-inspection."""
    return _catch_up(obligations, InspectionKind.SELF, 1, _("Self-inspection recorded."))


@calendar.fulfiller("R-SUPV")
def _catch_up_supervision(obligations) -> int:
    return _catch_up(obligations, InspectionKind.SUPERVISORY, SUPERVISIONS_PER_SEMESTER,
                     _("Supervisory inspections of the semester recorded."))


def _catch_up(obligations, kind: str, needed: int, note: str) -> int:
    """One query per period in use (a few), then only the obligations that close."""
    closed = 0
    periods = obligations.values_list("period_start", "period_end").distinct()
    for start, end in periods:
        done = Inspection.objects.filter(kind=kind, completed_on__isnull=False,
                                         inspected_on__range=(start, end))
        if kind == InspectionKind.SUPERVISORY:
            done = done.filter(by_supervisor=True)
        counts = {u: n for u, n in done.values("unit_id").annotate(n=Count("id"))
                  .values_list("unit_id", "n") if n >= needed}
        if not counts:
            continue
        for ob in obligations.filter(period_start=start, period_end=end,
                                     unit_id__in=list(counts)):
            last = done.filter(unit_id=ob.unit_id).order_by("-inspected_on").first()
            closed += calendar.fulfil(None, ob.unit_id, ob.requirement.ref,
                                      last.inspected_on, last, note)
    return closed


class FindingServices(RecordServices):
    def before_save(self, actor, obj: Finding, before: dict[str, Any] | None) -> None:
        if before is not None and obj.inspection.completed_on and \
                before.get("result") != obj.result:
            raise ValidationError({"result": _("The inspection is finished; its results "
                                               "no longer change.")})


class HazardServices(RecordServices):
    def before_save(self, actor, obj: Hazard, before: dict[str, Any] | None) -> None:
        """A hazard put on a unit from above is dispatched (派单) by the actor's
        authority; assigning (a responsible person and a deadline) is for those who
        manage the unit's hazards."""
        if before is not None:
            return
        authority = _acting_authority(actor, obj.unit_path)
        if authority is not None:
            obj.dispatched_by = authority
            if obj.source == HazardSource.MANUAL:
                obj.source = HazardSource.DISPATCH
        if (obj.responsible_id or obj.deadline) and not _may(actor, "change", "hazards",
                                                             obj.unit_path):
            raise ValidationError({"responsible": _(
                "Report the hazard; the unit's administrators assign it.")})

    def after_save(self, actor, obj: Hazard, before: dict[str, Any] | None) -> None:
        if before is None and obj.status == HazardStatus.ASSIGNED:
            HazardStep.objects.create(
                unit_id=obj.unit_id, unit_path=obj.unit_path, hazard=obj,
                kind=StepKind.ASSIGN, responsible_id=obj.responsible_id,
                measures=obj.measures, deadline=obj.deadline, done_on=obj.found_on,
                by=actor)
        if before is None:
            from fangfan.inspections import escalation

            escalation.on_new(obj)


def _acting_authority(actor, path: str) -> Unit | None:
    """The unit above `path` from which the actor puts a hazard on it (the nearest where
    the actor may add hazards), or None when the actor acts at the unit itself."""
    if actor is None:
        return None
    roots = [p for p in permissions.scope_roots(actor, "add", registry.get("hazards"))
             if path.startswith(p)]
    if not roots or path in roots:
        return None
    return Unit.objects.filter(path=max(roots, key=len)).first()


class HazardStepServices(RecordServices):
    def before_save(self, actor, obj: HazardStep, before: dict[str, Any] | None) -> None:
        if before is not None:
            fixed = ("kind", "hazard_id", "responsible_id", "deadline", "done_on")
            after = audit.snapshot(obj)
            if any(before.get(name) != after.get(name) for name in fixed):
                raise ValidationError(_("A step that was taken stays as it was; record a "
                                        "new step instead."))
            return
        obj.by = actor
        hazard = obj.hazard
        if obj.kind in (StepKind.ASSIGN, StepKind.VERIFY, StepKind.RETURN) and not _may(
                actor, "change", "hazards", hazard.unit_path):
            raise ValidationError({"kind": _(
                "Only the unit's administrators and its supervisors assign, verify or "
                "return hazards.")})
        if obj.kind == StepKind.VERIFY and actor is not None and \
                hazard.rectified_by_id == actor.pk:
            raise ValidationError({"kind": _(
                "Someone other than the person who rectified it verifies the hazard.")})

    def after_save(self, actor, obj: HazardStep, before: dict[str, Any] | None) -> None:
        if before is not None:
            return
        services.update_following(actor, obj.hazard, _moves(obj, actor))


def _moves(step: HazardStep, actor) -> dict[str, Any]:
    """The hazard's fields after `step`."""
    to = TRANSITIONS[step.kind][1]
    if step.kind == StepKind.ASSIGN:
        return {"status": to, "responsible": step.responsible, "measures": step.measures,
                "deadline": step.deadline, "reminded_on": None,
                "overdue_notified_on": None}
    if step.kind == StepKind.RECTIFY:
        return {"status": to, "rectified_on": step.done_on, "rectification": step.note,
                "rectified_by": actor}
    if step.kind == StepKind.VERIFY:
        return {"status": to, "closed_on": step.done_on, "verified_by": actor}
    return {"status": to}


@transaction.atomic
def hazard_from_finding(actor, finding: Finding, data: dict[str, Any]) -> Hazard:
    """One step from a failed item to a hazard of the inspected unit."""
    if finding.result != ItemResult.FAIL:
        raise ValidationError(_("Only a failed item becomes a hazard."))
    fields = {"unit": finding.unit, "title": finding.item[:200],
              "description": finding.note, "source": HazardSource.INSPECTION,
              "finding": finding, "found_on": finding.inspection.inspected_on,
              "found_by": finding.inspection.inspectors[:100], **data}
    return services.create_record(actor, Hazard, fields)


@transaction.atomic
def close_gap_hazard(hazard: Hazard, note: str, on=None) -> HazardStep:
    """The system closes a hazard raised by a compliance gap (inspections.gaps) once its
    requirement is met again: a "verify" step by no one, with `note`, from whatever open
    status the hazard is in. Step and closure are audited as the system's."""
    return services.create_following(None, HazardStep, {
        "unit": hazard.unit, "hazard": hazard, "kind": StepKind.VERIFY, "note": note,
        "done_on": on or timezone.localdate()})
