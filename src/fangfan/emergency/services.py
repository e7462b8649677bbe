"""Rules of emergency plans, drills and accounting rounds (core.registry RecordServices
and the actions of their pages): versions and approval by the principal, staff reading
the plan in force, a drill fulfilling the calendar's R-DRILL and turning its problems
into hazards and plan revisions, and the counts of an accounting round."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import audit, permissions, registry, services
from fangfan.core.models import Role, RoleGrant
from fangfan.core.models.audit import AuditAction
from fangfan.core.registry import RecordServices
from fangfan.emergency.models import (
    AccountingReport,
    AccountingRound,
    Drill,
    EmergencyPlan,
    PlanAcknowledgement,
    PlannedDrill,
    PlanStatus,
)
from fangfan.standards import calendar

# Who approves a plan: the principal (第一责任人) of the unit, or a system administrator.
APPROVERS = {Role.PRINCIPAL, Role.SYSTEM_ADMIN}
# An approved plan is due for revision this long after approval unless a date is set.
REVISION_INTERVAL = dt.timedelta(days=365)
# A plan marked for revision after a drill is due within this many days at the latest.
REVISION_AFTER_DRILL = dt.timedelta(days=30)
# The facts of drill requirements without a reference of their own (the national
# drill guide's monthly and quarterly drills): a drill closes their obligations too.
GUIDE_DRILL_FACTS = ["months_without_drill", "quarters_without_drill"]

CONTENT = ("scenario", "title", "previous_id", "command_body_id", "command", "groups",
           "first_response", "evacuation", "reporting", "aftermath")


class PlanServices(RecordServices):
    def before_save(self, actor, obj: EmergencyPlan, before: dict[str, Any] | None) -> None:
        if before is None:
            obj.status = PlanStatus.DRAFT
            if obj.previous_id:
                obj.version = obj.previous.version + 1
            return
        if before.get("status") != PlanStatus.DRAFT:
            after = audit.snapshot(obj)
            if any(before.get(name) != after.get(name) for name in CONTENT):
                raise ValidationError(_("An approved plan does not change: make a new "
                                        "version, which replaces it once approved."))


def may_approve(user, plan: EmergencyPlan) -> bool:
    """The principal of the plan's unit (or of a unit above it) or a system admin."""
    if user is None:
        return True
    if getattr(user, "is_superuser", False):
        return True
    return any(role in APPROVERS and plan.unit_path.startswith(path)
               for role, path in permissions.grants(user))


@transaction.atomic
def approve(actor, plan: EmergencyPlan, on: dt.date | None = None) -> EmergencyPlan:
    """Approve a draft: it comes into force, the older versions are superseded, and its
    revision is due one year on unless a date is set."""
    plan = EmergencyPlan.objects.select_for_update().get(pk=plan.pk)
    if not may_approve(actor, plan):
        raise PermissionDenied(_("Only the principal approves an emergency plan."))
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft is approved; this version is already %(status)s.")
                              % {"status": plan.get_status_display().lower()})
    missing = plan.missing_elements
    if missing:
        raise ValidationError(_("The plan cannot be approved: it lacks %(elements)s.")
                              % {"elements": _(", ").join(missing)})
    on = on or timezone.localdate()
    earlier = plan.previous
    while earlier is not None:
        if earlier.status == PlanStatus.APPROVED:
            services.update_following(actor, earlier, {"status": PlanStatus.SUPERSEDED})
        earlier = earlier.previous
    return services.update_following(actor, plan, {
        "status": PlanStatus.APPROVED, "approved_on": on, "approved_by": actor,
        "revise_by": plan.revise_by if plan.revise_by and plan.revise_by > on
        else on + REVISION_INTERVAL})


@transaction.atomic
def mark_for_revision(actor, plan: EmergencyPlan, reason: str) -> EmergencyPlan:
    """A drill (or anyone who keeps the plans) found the plan wanting: the reason is
    noted and the revision falls due within 30 days. A new approved version ends it."""
    if actor is not None and not permissions.allowed(
            actor, "change", registry.get("emergency-plans"), plan.unit_path):
        raise PermissionDenied(_("You may not change this record."))
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Only the plan in force is marked for revision."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the plan is to be revised."))
    due = timezone.localdate() + REVISION_AFTER_DRILL
    text = "\n".join(filter(None, [plan.revision_reason, reason]))
    return services.update_following(actor, plan, {
        "revision_reason": text, "revise_by": min(plan.revise_by or due, due)})


@transaction.atomic
def acknowledge(user, plan: EmergencyPlan) -> PlanAcknowledgement:
    """`user` confirms having read the plan in force of their own unit (once)."""
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Only the plan in force is confirmed as read."))
    if not RoleGrant.objects.filter(user=user, unit_id=plan.unit_id).exists():
        raise PermissionDenied(_("The people of the plan's own unit confirm reading it."))
    found = PlanAcknowledgement.objects.filter(plan=plan, user=user).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            ack = PlanAcknowledgement.objects.create(plan=plan, user=user,
                                                     unit_path=plan.unit_path)
    except IntegrityError:  # the same confirmation twice at once
        return PlanAcknowledgement.objects.get(plan=plan, user=user)
    audit.record(user, ack, AuditAction.CREATE, None, audit.snapshot(ack), plan.unit_path)
    return ack


def readers(plan: EmergencyPlan) -> tuple[list, list]:
    """The users of the plan's unit who have and who have not confirmed reading it (two
    queries), each by name."""
    from fangfan.core.models import User

    users = list(User.objects.filter(grants__unit_id=plan.unit_id, is_active=True)
                 .distinct().order_by("last_name", "first_name", "username"))
    read = set(plan.acknowledgements.values_list("user_id", flat=True))
    return [u for u in users if u.pk in read], [u for u in users if u.pk not in read]


# The drill form's fields prefilled from a planned drill ("Record as held"): held on the
# planned day, or today when it is held early; a checkbox is left empty for "no".
HELD_PREFILL = {
    "held_on": lambda p: min(p.planned_on, timezone.localdate()),
    "scenario": lambda p: p.scenario,
    "plan": lambda p: p.plan_id or "",
    "counter_terrorism": lambda p: "on" if p.counter_terrorism else "",
}


def held_url(planned: PlannedDrill) -> str:
    """The drill form prefilled from the planned drill (its unit and the plan's link):
    saving it records the plan as held, in one step."""
    from django.urls import reverse
    from django.utils.http import urlencode

    params = {"planned": planned.pk, "unit": planned.unit_id,
              **{name: fn(planned) for name, fn in HELD_PREFILL.items()}}
    return f"{reverse(registry.get('drills').add_url_name)}?{urlencode(params)}"


class DrillServices(RecordServices):
    def after_save(self, actor, obj: Drill, before: dict[str, Any] | None) -> None:
        if before is None or str(before.get("held_on")) != str(obj.held_on):
            fulfil(actor, obj)


def fulfil(actor, drill: Drill) -> int:
    """A held drill closes the unit's R-DRILL obligation of its semester, and those of
    the drill guide's month or quarter."""
    note = _("Drill of %(date)s recorded.") % {"date": drill.held_on}
    closed = calendar.fulfil(actor, drill.unit_id, "R-DRILL", drill.held_on, drill, note)
    from fangfan.standards.models import Obligation

    for ob in Obligation.objects.filter(
            unit_id=drill.unit_id, done_on__isnull=True,
            requirement__spec__actual__in=GUIDE_DRILL_FACTS,
            period_start__lte=drill.held_on, period_end__gte=drill.held_on):
        services.update_following(actor, ob, {
            "done_on": min(drill.held_on, timezone.localdate()), "note": note,
            "fulfilled_by_type": "drills", "fulfilled_by_id": str(drill.pk)})
        closed += 1
    return closed


@calendar.fulfiller("R-DRILL")
def _catch_up(obligations) -> int:
    """Close R-DRILL obligations whose semester already has a drill (recorded before the
    obligation was made): one query per semester in use, then those that close."""
    closed = 0
    for start, end in obligations.values_list("period_start", "period_end").distinct():
        held = Drill.objects.filter(held_on__range=(start, end))
        latest = {}
        for unit_id, pk, day in held.order_by("held_on").values_list("unit_id", "pk",
                                                                    "held_on"):
            latest[unit_id] = (pk, day)
        for ob in obligations.filter(period_start=start, period_end=end,
                                     unit_id__in=list(latest)):
            pk, day = latest[ob.unit_id]
            closed += calendar.fulfil(None, ob.unit_id, "R-DRILL", day,
                                      Drill(pk=pk, unit_id=ob.unit_id),
                                      _("Drill of %(date)s recorded.") % {"date": day})
    return closed


@transaction.atomic
def hazard_from_drill(actor, drill: Drill, problem: str, data: dict[str, Any] | None = None):
    """One step from a problem a drill found to a hazard of the drill's unit."""
    from fangfan.inspections.models import Hazard, HazardSource

    problem = problem.strip()
    if not problem:
        raise ValidationError(_("Say what problem the drill found."))
    fields = {"unit": drill.unit, "title": problem[:200], "source": HazardSource.DRILL,
              "description": _("Found in the drill of %(date)s (%(scenario)s).") % {
                  "date": drill.held_on, "scenario": drill.get_scenario_display()},
              "found_on": drill.held_on, **(data or {})}
    return services.create_record(actor, Hazard, fields)


def drill_hazards(drill: Drill) -> dict[str, Any]:
    """The hazards made from the drill's problems, by title (one query)."""
    from fangfan.inspections.models import Hazard, HazardSource

    titles = [p[:200] for p in drill.problem_list]
    return {h.title: h for h in Hazard.objects.filter(
        unit_id=drill.unit_id, source=HazardSource.DRILL, found_on=drill.held_on,
        title__in=titles)}


class RoundServices(RecordServices):
    def before_save(self, actor, obj: AccountingRound, before: dict[str, Any] | None) -> None:
        if before is not None and before.get("closed_at") and obj.closed_at:
            after = audit.snapshot(obj)
            if any(before.get(k) != after.get(k) for k in ("started_at", "reason",
                                                            "drill_id", "unit_id")):
                raise ValidationError(_("The round is closed; its counts stay as they were."))


@transaction.atomic
def close_round(actor, rnd: AccountingRound, at=None) -> AccountingRound:
    """Everyone is accounted for (or the count is over): the reports no longer change."""
    if actor is not None and not permissions.allowed(
            actor, "change", registry.get("accounting-rounds"), rnd.unit_path):
        raise PermissionDenied(_("You may not change this record."))
    if rnd.closed_at:
        raise ValidationError(_("The round is already closed."))
    return services.update_following(actor, rnd, {"closed_at": at or timezone.now()})


class ReportServices(RecordServices):
    def before_save(self, actor, obj: AccountingReport, before: dict[str, Any] | None) -> None:
        if obj.round_id and obj.round.closed_at:
            raise ValidationError(_("The round is closed; its counts stay as they were."))
        obj.reporter = actor if getattr(actor, "pk", None) else obj.reporter
        obj.reported_at = timezone.now()


@transaction.atomic
def report(actor, rnd: AccountingRound, data: dict[str, Any]) -> AccountingReport:
    """A class's or department's count, from the phone page: a second report of the same
    group in the round corrects the first."""
    name = str(data.get("group_name", "")).strip()
    found = AccountingReport.objects.filter(round=rnd, group_name=name).first()
    fields = {**data, "group_name": name}
    if found is not None:
        return services.update_record(actor, found, fields)
    return services.create_record(actor, AccountingReport, {"unit": rnd.unit, "round": rnd,
                                                            **fields})


def totals(rnd: AccountingRound) -> dict[str, int]:
    """The round's totals so far, in one query."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Coalesce

    agg = rnd.reports.aggregate(
        groups=Count("id"), enrolled=Coalesce(Sum("enrolled"), 0),
        present=Coalesce(Sum("present"), 0), missing=Coalesce(Sum("missing"), 0),
        injured=Coalesce(Sum("injured"), 0))
    agg["unaccounted"] = agg["enrolled"] - agg["present"] - agg["missing"]
    return agg
