"""Rules of incidents that follow each write (core.registry RecordServices): a new
incident tells the unit's leads and its supervising authority at once (urgent), activates
the unit's response groups with their tasks and starts its timeline; each later step
(a report made, a task done, a statement approved or released, the closure) adds to the
timeline; reports are measured against the local reporting limit; a statement is
approved only by the principal or an administrator."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangfan.core import audit, notify, permissions, registry, services
from fangfan.core.models import Role, Unit
from fangfan.core.models.units import PATH_SEGMENT_WIDTH
from fangfan.core.registry import RecordServices
from fangfan.incidents.models import (
    DEFAULT_LIMITS,
    Incident,
    IncidentEvent,
    IncidentSource,
    IncidentStatus,
    IncidentTask,
    ReportingLimit,
    Severity,
)
from fangfan.organisation.models import RESPONSE_GROUPS, Body, BodyKind

# What each response group does first (seed 002, "处置恐怖事件的具体措施").
GROUP_TASKS = {
    BodyKind.ORDER_GROUP: gettext_lazy("Seal off the scene, evacuate the people, keep order and "
                            "open an emergency access route."),
    BodyKind.MEDICAL_GROUP: gettext_lazy("Call 120 for medical support and give first aid to the "
                              "injured until it arrives."),
    BodyKind.RESCUE_GROUP: gettext_lazy("Rescue students and staff in danger first, with care for "
                             "your own safety."),
    BodyKind.STABILITY_GROUP: gettext_lazy("Guard the key locations with the police and the "
                                "comprehensive governance office; stop anyone exploiting "
                                "the situation."),
    BodyKind.AFTERMATH_GROUP: gettext_lazy(
        "Comfort the people affected and their families, help the police investigate, "
        "and prepare the aftermath summary."),
}
# Who approves a public statement (seed 004: through the school's spokesperson).
APPROVERS = {Role.PRINCIPAL, Role.UNIT_ADMIN, Role.SYSTEM_ADMIN}


def _text(message, **values: Any) -> str:
    """A timeline entry is stored once, in the product's language (`message` lazy)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % {k: str(v) for k, v in values.items()} if values \
            else str(message)


def _who(actor) -> str:
    if actor is None:
        return _text(gettext_lazy("the system"))
    return actor.get_full_name() or actor.username


def _at(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def log(actor, incident: Incident, what: str, at: dt.datetime | None = None) -> None:
    """Add a step to the incident's timeline, as the actor's (audited)."""
    services.create_following(actor, IncidentEvent, {
        "unit": incident.unit, "incident": incident, "what": what[:500],
        "at": at or timezone.now()})


def limit_minutes(unit_path: str, severity: str) -> int:
    """The reporting limit of the unit at `unit_path`: its own, else the nearest above it,
    else the default (2 hours general, 1 hour major)."""
    w = PATH_SEGMENT_WIDTH
    prefixes = [unit_path[:i * w] for i in range(1, len(unit_path) // w + 1)]
    rule = ReportingLimit.objects.filter(unit_path__in=prefixes).order_by("-unit_path") \
        .first()
    if rule is None:
        return DEFAULT_LIMITS.get(severity, DEFAULT_LIMITS["general"])
    return rule.major_minutes if severity == Severity.MAJOR else rule.general_minutes


class IncidentServices(RecordServices):
    def before_save(self, actor, obj: Incident, before: dict[str, Any] | None) -> None:
        if before is None:
            obj.reported_by = actor
            if (obj.status != IncidentStatus.OPEN or obj.aftermath or obj.lessons) and \
                    actor is not None and not permissions.allowed(
                        actor, "change", registry.get("incidents"), obj.unit_path):
                raise ValidationError({"status": _(
                    "Report the incident; the unit's leaders handle and close it.")})
            if obj.status == IncidentStatus.CLOSED:
                obj.closed_at = timezone.now()
        else:
            if before.get("status") == IncidentStatus.CLOSED and \
                    obj.status != IncidentStatus.CLOSED:
                raise ValidationError({"status": _("A closed incident stays closed.")})
            if obj.status == IncidentStatus.CLOSED and before.get("status") != obj.status:
                obj.closed_at = timezone.now()
        if obj.occurred_at:
            obj.report_by = obj.occurred_at + dt.timedelta(
                minutes=limit_minutes(obj.unit_path, obj.severity))

    def after_save(self, actor, obj: Incident, before: dict[str, Any] | None) -> None:
        if before is None:
            _started(actor, obj)
            return
        if before.get("status") != obj.status and obj.status == IncidentStatus.CLOSED:
            log(actor, obj, _text(gettext_lazy("Closed by %(who)s, with the aftermath summary and "
                                  "lessons."), who=_who(actor)))
        if before.get("severity") != obj.severity:
            log(actor, obj, _text(gettext_lazy("Severity changed to %(severity)s by %(who)s."),
                                  severity=_severity(obj), who=_who(actor)))
        if before.get("report_by") != audit.snapshot(obj).get("report_by"):
            for report in obj.reports.all():
                _measure(actor, report, obj)


def _severity(incident: Incident) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(incident.get_severity_display())


def _started(actor, incident: Incident) -> None:
    """The first steps of a new incident, in its transaction: the timeline's first entry,
    the urgent notifications, the response groups' tasks."""
    place = f" ({incident.location})" if incident.location_id else ""
    if incident.source == IncidentSource.DEVICE:
        what = _text(gettext_lazy("Alarm from the device %(device)s%(place)s: %(title)s"),
                     device=incident.device, place=place, title=incident.title)
    else:
        what = _text(gettext_lazy("Reported by %(who)s%(place)s: %(title)s (%(severity)s)"),
                     who=_who(actor), place=place, title=incident.title,
                     severity=_severity(incident))
    log(actor, incident, what, at=incident.occurred_at if incident.occurred_at
        < timezone.now() else None)
    told = notify_incident(incident)
    log(actor, incident, _text(gettext_lazy(
        "Command HQ alerted: %(leads)s leaders of the unit and %(authority)s people of the "
        "supervising authority notified (urgent)."), leads=told[0], authority=told[1]))
    activate_groups(actor, incident)


def notify_incident(incident: Incident) -> tuple[int, int]:
    """Tell the unit's administrators and principal (for the command HQ, whose members
    have no accounts yet) and the supervisors and administrators of the unit above it,
    urgent (cannot be muted), with the group robots of both. Returns how many of each."""
    unit = Unit.objects.get(pk=incident.unit_id)
    title = _("Incident at %(unit)s: %(title)s") % {"unit": unit.name,
                                                    "title": incident.title}
    body = _("%(severity)s incident, %(when)s%(place)s.") % {
        "severity": incident.get_severity_display(), "when": _at(incident.occurred_at),
        "place": f", {incident.location}" if incident.location_id else ""}
    link = incident.get_absolute_url()
    leads = notify.notify_unit_leads(unit.pk, unit.path, title, body, link, urgent=True)
    above = 0
    if unit.parent_id:
        above = notify.notify_authority(unit.parent_id, title, body, link,
                                        unit_path=unit.path)
    return leads, above


def activate_groups(actor, incident: Incident) -> list[IncidentTask]:
    """A task for each response group of the unit (ORG-1), with the group's first duty."""
    groups = list(Body.objects.filter(unit_id=incident.unit_id, kind__in=RESPONSE_GROUPS)
                  .order_by("kind", "name"))
    order = {kind: i for i, kind in enumerate(RESPONSE_GROUPS)}
    groups.sort(key=lambda g: (order[g.kind], g.name))
    tasks = []
    with translation.override(settings.LANGUAGE_CODE):
        for group in groups:
            tasks.append(services.create_following(actor, IncidentTask, {
                "unit": incident.unit, "incident": incident, "group": group,
                "task": str(GROUP_TASKS[group.kind])}))
    if groups:
        log(actor, incident, _text(gettext_lazy("Response groups activated: %(groups)s."),
                                   groups="、".join(g.name for g in groups)))
    else:
        log(actor, incident, _text(gettext_lazy("No response groups are set up for the unit: none "
                                   "activated.")))
    return tasks


class EventServices(RecordServices):
    def before_save(self, actor, obj: IncidentEvent, before: dict[str, Any] | None) -> None:
        if before is None:
            obj.by = actor


class TaskServices(RecordServices):
    def after_save(self, actor, obj: IncidentTask, before: dict[str, Any] | None) -> None:
        if before is not None and obj.done and not before.get("done"):
            log(actor, obj.incident, _text(gettext_lazy("%(group)s: task done%(note)s (%(who)s)."),
                                           group=obj.group, who=_who(actor),
                                           note=f" — {obj.note}" if obj.note else ""))


def _measure(actor, report, incident: Incident) -> None:
    minutes = limit_minutes(incident.unit_path, incident.severity)
    late = report.reported_at > incident.occurred_at + dt.timedelta(minutes=minutes)
    if (report.late, report.limit_minutes) != (late, minutes):
        services.update_following(actor, report, {"late": late, "limit_minutes": minutes})


class ReportServices(RecordServices):
    def before_save(self, actor, obj, before: dict[str, Any] | None) -> None:
        incident = obj.incident
        obj.limit_minutes = limit_minutes(incident.unit_path, incident.severity)
        obj.late = bool(obj.reported_at and incident.occurred_at and obj.reported_at
                        > incident.occurred_at + dt.timedelta(minutes=obj.limit_minutes))

    def after_save(self, actor, obj, before: dict[str, Any] | None) -> None:
        if before is not None:
            return
        with translation.override(settings.LANGUAGE_CODE):
            recipient = str(obj.get_recipient_display())
        what = _text(gettext_lazy("Reported to %(recipient)s by %(who)s%(reference)s."),
                     recipient=recipient, who=obj.reported_by,
                     reference=f" ({obj.reference})" if obj.reference else "")
        if obj.late:
            what += " " + _text(gettext_lazy("Late: after the limit of %(minutes)s minutes."),
                                minutes=obj.limit_minutes)
        log(actor, obj.incident, what, at=obj.reported_at)


def may_approve(actor, unit_path: str) -> bool:
    if actor is None or (actor.is_superuser and actor.is_active):
        return True
    return any(role in APPROVERS and unit_path.startswith(path)
               for role, path in permissions.grants(actor))


class StatementServices(RecordServices):
    def before_save(self, actor, obj, before: dict[str, Any] | None) -> None:
        was_approved = bool(before and before.get("approved"))
        if was_approved and before.get("text") != obj.text:
            raise ValidationError({"text": _("An approved statement no longer changes; "
                                             "write a new one.")})
        if was_approved and not obj.approved:
            raise ValidationError({"approved": _("An approved statement stays approved.")})
        if obj.approved and not was_approved:
            if not may_approve(actor, obj.unit_path):
                raise ValidationError({"approved": _(
                    "Only the principal or an administrator approves a public "
                    "statement.")})
            obj.approved_by = actor
            obj.approved_at = timezone.now()

    def after_save(self, actor, obj, before: dict[str, Any] | None) -> None:
        before = before or {}
        if obj.approved and not before.get("approved"):
            log(actor, obj.incident, _text(gettext_lazy(
                "Public statement by %(spokesperson)s approved by %(who)s."),
                spokesperson=obj.spokesperson, who=_who(actor)))
        if obj.released_at and not before.get("released_at"):
            log(actor, obj.incident, _text(gettext_lazy(
                "Public statement released by the spokesperson %(spokesperson)s."),
                spokesperson=obj.spokesperson),
                at=obj.released_at)


@transaction.atomic
def start_accounting(actor, incident: Incident):
    """Start accounting for everyone (the emergency app's accounting round, reason
    "incident") from the incident's page, linked to the incident, on its timeline."""
    from fangfan.emergency.models import AccountingReason, AccountingRound

    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.accounting_id:
        raise ValidationError(_("Accounting has already started for this incident."))
    if not incident.is_open:
        raise ValidationError(_("The incident is closed."))
    round_ = services.create_record(actor, AccountingRound, {
        "unit": incident.unit, "reason": AccountingReason.INCIDENT,
        "started_at": timezone.now(), "note": incident.title[:200]})
    services.update_following(actor, incident, {"accounting": round_})
    log(actor, incident, _text(gettext_lazy("Accounting for everyone started by %(who)s."),
                               who=_who(actor)))
    return round_


class SuspicionServices(RecordServices):
    """A suspicious report: stamped with who reported it (their account and person);
    only the unit's leaders assess it (status, assessment), never back to "to assess";
    reported upward, the supervising authority is told once (urgent)."""

    def before_save(self, actor, obj, before: dict[str, Any] | None) -> None:
        from fangfan.incidents.models import SuspicionStatus

        if before is None:
            obj.reported_by = actor
            obj.reporter = _person_at(actor, obj.unit_id)
        status_was = (before or {}).get("status", SuspicionStatus.NEW)
        assessed = obj.status != status_was or (
            obj.assessment != (before or {}).get("assessment", ""))
        if not assessed:
            return
        if actor is not None and not permissions.allowed(
                actor, "change", registry.get("suspicious-reports"), obj.unit_path):
            raise ValidationError({"status": _(
                "Report what you saw; the unit's leaders assess it.")})
        if before is not None and obj.status == SuspicionStatus.NEW and \
                status_was != SuspicionStatus.NEW:
            raise ValidationError({"status": _("An assessed report is not set back to "
                                               "“to assess”.")})
        obj.assessed_by, obj.assessed_at = actor, timezone.now()

    def after_save(self, actor, obj, before: dict[str, Any] | None) -> None:
        from fangfan.incidents.models import SuspicionStatus

        if obj.status == SuspicionStatus.ESCALATED and obj.escalated_at is None:
            escalate(actor, obj)


def _person_at(actor, unit_id: int):
    from fangfan.resources.models import person_of

    person = person_of(actor)
    return person if person is not None and person.unit_id == unit_id else None


def escalate(actor, report) -> int:
    """Tell the supervising authority (its supervisors, administrators and robots) about
    the report, urgent, once; returns how many people were told."""
    unit = Unit.objects.get(pk=report.unit_id)
    told = 0
    if unit.parent_id:
        title = _("Suspicious report from %(unit)s: %(what)s") % {
            "unit": unit.name, "what": report.what[:60]}
        body = _("Seen %(when)s%(place)s. %(who)s") % {
            "when": _at(report.reported_at),
            "place": f", {report.where}" if report.where else "",
            "who": report.person_description[:200]}
        told = notify.notify_authority(unit.parent_id, title, body.strip(),
                                       report.get_absolute_url(), unit_path=unit.path)
    services.update_following(actor, report, {"escalated_at": timezone.now()})
    return told
