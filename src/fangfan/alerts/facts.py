"""Facts of alert levels for the standards engine (R-ALERT, docs/alerts.md): the level a
unit is under now, its baseline guard force and the guards it reported on duty. One
grouped query over the alerts in force; a unit under no level has no row, so its
`alert_level` is the fact's default 0 (R-ALERT is then not applicable), never unknown."""
from __future__ import annotations

from django.db.models import Max, Min, Q, QuerySet
from django.utils.translation import gettext_noop

from fangfan.alerts.models import UnitAlert, in_force_q
from fangfan.standards.facts import fact, fact_time, family

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


@family("alerts", clock=True, minute=True, source="unit-alerts")
def _alerts(scope: Q) -> QuerySet:
    """Per unit under a level in force: the strictest level, its baseline and the most
    guards it reported on duty under the levels in force. A unit under none has no row:
    its `alert_level` is the fact's default, 0."""
    return UnitAlert.objects.filter(scope, in_force_q("order__", fact_time())).values(
        "unit_path").annotate(alert_level=Min("level"), alert_baseline_guards=Max("baseline"),
                              alert_guards_on_duty=Max("guards_on_duty"))
