"""Facts of alert levels for the standards engine (R-ALERT, docs/alerts.md): the level a
unit is under now, its baseline guard force and the guards it reported on duty. Computed
over the units themselves, so a unit under no level has `alert_level` 0 (R-ALERT is then
not applicable) rather than unknown."""
from __future__ import annotations

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from fangfan.alerts.models import UnitAlert, in_force_q
from fangfan.core.models import Unit
from fangfan.standards.facts import fact, family

fact("alert_level", "alerts", "int",
     gettext_noop("The alert level the unit is under now: 3, 2 or 1 (1 the highest), "
                  "0 when none (the strictest of the levels in force above it)."),
     values=(0, 1, 2, 3), default=0)
fact("alert_baseline_guards", "alerts", "int",
     gettext_noop("The unit's normal on-duty guard force under the alert level: from the "
                  "duty roster, else the full-time guards it is required to have."),
     missing=gettext_noop("The unit's normal guard force is not known: no duty roster "
                          "and no full-time guard requirement for its kind."))
fact("alert_guards_on_duty", "alerts", "int",
     gettext_noop("Guards the unit reported on duty under the alert level."),
     missing=gettext_noop("The unit has not reported its guards on duty under the alert "
                          "level yet."))


def _derive(row: dict) -> dict:
    level = row["alert_level"] or 0
    return {"alert_level": level,
            "alert_baseline_guards": row["alert_baseline_guards"] if level else None,
            "alert_guards_on_duty": row["alert_guards_on_duty"] if level else None}


@family("alerts", derive=_derive, clock=True, source="unit-alerts")
def _alerts(scope: Q) -> QuerySet:
    """Per unit, its alert under the strictest level in force (one index probe per unit
    on (unit, level); most units have none)."""
    current = (UnitAlert.objects.filter(in_force_q("order__", timezone.now()),
                                        unit_id=OuterRef("pk"))
               .order_by("level", "-issued_at"))
    return Unit.objects.annotate(unit_path=F("path")).filter(scope).values(
        "unit_path").annotate(
        alert_level=Coalesce(Subquery(current.values("level")[:1]), Value(0),
                             output_field=IntegerField()),
        alert_baseline_guards=Subquery(current.values("baseline")[:1]),
        alert_guards_on_duty=Subquery(current.values("guards_on_duty")[:1]))
