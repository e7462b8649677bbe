"""Rules of alert levels (SPEC EMG-1, docs/alerts.md), run by core.services inside each
write's transaction (RecordServices), and the actions of the pages: raise or lower a
level, stand it down, acknowledge it, tick a measure."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.alerts import fanout
from fangfan.alerts.models import (
    AlertChange,
    AlertMeasure,
    AlertOrder,
    ChangeKind,
    Level,
    MeasureCode,
    UnitAlert,
)
from fangfan.core import permissions, services
from fangfan.core.models import Unit
from fangfan.core.registry import RecordServices


def of_the_unit(actor, unit_path: str) -> bool:
    """Does `actor` hold a role on the unit itself (not only above it)? The system
    (no actor) acts for everyone."""
    return actor is None or any(path == unit_path for _role, path in
                                permissions.grants(actor))


def _tell(order: AlertOrder, kind: str) -> None:
    from fangfan.alerts import tasks

    pk = order.pk
    transaction.on_commit(lambda: tasks.tell_units(pk, kind), robust=True)


class AlertOrderServices(RecordServices):
    def before_save(self, actor, obj: AlertOrder, before: dict[str, Any] | None) -> None:
        if before is None:
            if obj.unit_id and not Unit.objects.filter(parent_id=obj.unit_id).exists():
                raise ValidationError({"unit": _(
                    "An alert level is issued by an authority for the units below it; "
                    "this unit has none.")})
            return
        if before.get("stood_down_at"):
            raise ValidationError(_("This alert level has been stood down; issue a new "
                                    "one."))
        fixed = {"unit_id": "unit", "kinds": "kinds", "stages": "stages"}
        for attname, name in fixed.items():
            if before.get(attname) != getattr(obj, attname):
                raise ValidationError({name: _(
                    "The units a level covers are fixed when it is issued; stand it down "
                    "and issue a new one.")})

    def after_save(self, actor, obj: AlertOrder, before: dict[str, Any] | None) -> None:
        if before is None:
            fanout.issue(obj)
            AlertChange.objects.create(order=obj, kind=ChangeKind.ISSUED, level=obj.level,
                                       by=_user(actor))
            _tell(obj, ChangeKind.ISSUED)
            return
        old = before.get("level")
        if old is not None and old != obj.level:
            fanout.change(obj, old)
            # One is the highest: a smaller number raises the level.
            kind = ChangeKind.RAISED if obj.level < old else ChangeKind.LOWERED
            AlertChange.objects.create(order=obj, kind=kind, level=obj.level,
                                       by=_user(actor))
            _tell(obj, kind)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def change_level(actor, order: AlertOrder, level: int) -> AlertOrder:
    """Raise or lower the level (each an audited change the units acknowledge again)."""
    if level not in Level.values:
        raise ValidationError({"level": _("Choose level III, II or I.")})
    if level == order.level:
        raise ValidationError({"level": _("The level is already %(level)s.") % {
            "level": order.get_level_display()}})
    return services.update_record(actor, order, {"level": level})


@transaction.atomic
def stand_down(actor, order: AlertOrder) -> AlertOrder:
    """End the level now: the units return to normal (their records stay as history)."""
    if order.stood_down_at is not None:
        raise ValidationError(_("This alert level has already been stood down."))
    services.update_record(actor, order, {"stood_down_at": timezone.now()})
    AlertChange.objects.create(order=order, kind=ChangeKind.STOOD_DOWN, level=order.level,
                               by=_user(actor))
    _tell(order, ChangeKind.STOOD_DOWN)
    return order


def _in_force(unit_alert: UnitAlert) -> None:
    if not unit_alert.order.in_force():
        raise ValidationError(_("This alert level is not in force."))


class UnitAlertServices(RecordServices):
    def before_save(self, actor, obj: UnitAlert, before: dict[str, Any] | None) -> None:
        if before is not None and before.get("acknowledged_at") is None \
                and obj.acknowledged_at is not None:
            if not of_the_unit(actor, obj.unit_path):
                raise ValidationError(_("Only the unit's own people acknowledge its alert "
                                        "level."))
            _in_force(obj)
            obj.acknowledged_by = _user(actor)


@transaction.atomic
def acknowledge(actor, unit_alert: UnitAlert) -> UnitAlert:
    """The unit has taken note of the level (its administrators or principal)."""
    if unit_alert.acknowledged_at is not None:
        raise ValidationError(_("This alert level is already acknowledged."))
    if not of_the_unit(actor, unit_alert.unit_path):
        raise ValidationError(_("Only the unit's own people acknowledge its alert level."))
    if actor is not None and not permissions.allowed(actor, "change", _rt("unit-alerts"),
                                                     unit_alert.unit_path):
        raise services.OutOfScope(services.REFUSALS["change"])
    return services.update_following(actor, unit_alert, {"acknowledged_at": timezone.now()})


def _rt(slug: str):
    from fangfan.core import registry

    return registry.get(slug)


class AlertMeasureServices(RecordServices):
    def before_save(self, actor, obj: AlertMeasure, before: dict[str, Any] | None) -> None:
        if before is None:
            return
        ticked = bool(before.get("done")) != obj.done
        if ticked or before.get("guards_on_duty") != obj.guards_on_duty:
            if not of_the_unit(actor, obj.unit_path):
                raise ValidationError({"done": _(
                    "Only the unit's own people report its measures done.")})
            _in_force(obj.unit_alert)
            if obj.done and obj.unit_alert.acknowledged_at is None:
                raise ValidationError({"done": _("Acknowledge the alert level first.")})
        if ticked:
            obj.done_at = timezone.now() if obj.done else None
            obj.done_by = _user(actor) if obj.done else None

    def after_save(self, actor, obj: AlertMeasure, before: dict[str, Any] | None) -> None:
        if before is None:
            UnitAlert.objects.filter(pk=obj.unit_alert_id).update(
                measures_total=F("measures_total") + 1,
                measures_done=F("measures_done") + int(obj.done))
            return
        if bool(before.get("done")) != obj.done:
            UnitAlert.objects.filter(pk=obj.unit_alert_id).update(
                measures_done=F("measures_done") + (1 if obj.done else -1))
        if obj.code == MeasureCode.GUARDS:
            UnitAlert.objects.filter(pk=obj.unit_alert_id).update(
                guards_on_duty=obj.guards_on_duty if obj.done else None)

    def after_delete(self, actor, obj: AlertMeasure) -> None:
        UnitAlert.objects.filter(pk=obj.unit_alert_id).update(
            measures_total=F("measures_total") - 1,
            measures_done=F("measures_done") - int(obj.done))


@transaction.atomic
def report(actor, measure: AlertMeasure, done: bool, note: str | None = None,
           guards_on_duty: int | None = None) -> AlertMeasure:
    """Tick a measure done (or not), with a note and, for the guard force, the guards on
    duty now."""
    if not of_the_unit(actor, measure.unit_path):
        raise ValidationError({"done": _("Only the unit's own people report its measures "
                                         "done.")})
    measure.refresh_from_db()  # what is stored, not what a refused attempt left
    data: dict[str, Any] = {"done": done}
    if note is not None:
        data["note"] = note
    if measure.code == MeasureCode.GUARDS:
        data["guards_on_duty"] = guards_on_duty
    return services.update_record(actor, measure, data)
