"""The work alert levels give (home pages): a unit under a level acknowledges it first,
then takes its measures; the authority that issued it sees how many units have not
acknowledged yet."""
from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangfan.alerts.models import in_force_q
from fangfan.core.work import SOURCE_LIMIT, TODAY, WorkContext, WorkItem, source


@source
def alert_measures(ctx: WorkContext) -> Iterator[WorkItem]:
    """The focus units' own alerts in force: "Acknowledge" (due when issued, so first),
    then each measure not done yet."""
    alerts = ctx.scoped("unit-alerts")
    if alerts is None:
        return
    alerts = list(alerts.filter(in_force_q("order__"), unit_path__in=ctx.paths)
                  .select_related("unit", "order__unit").order_by("level")[:SOURCE_LIMIT])
    for a in alerts:
        if a.acknowledged_at is None:
            yield WorkItem(
                title=_("Acknowledge alert %(level)s of %(authority)s") % {
                    "level": a.get_level_display(), "authority": a.order.unit.name},
                detail=a.order.reason[:120], url=a.get_absolute_url(),
                action=_("Acknowledge"), unit=a.unit.name, due=a.issued_at)
    measures = ctx.scoped("alert-measures")
    if measures is None or not alerts:
        return
    for m in measures.filter(unit_alert__in=[a.pk for a in alerts], done=False) \
            .select_related("unit", "unit_alert").order_by("unit_alert__level", "number") \
            [:SOURCE_LIMIT]:
        yield WorkItem(title=m.text, detail=m.get_code_display(),
                       url=f"{m.unit_alert.get_absolute_url()}#measure-{m.pk}",
                       action=_("Report done"), unit=m.unit.name, bucket=TODAY)


@source
def alerts_unacknowledged(ctx: WorkContext) -> Iterator[WorkItem]:
    """For the authority: its levels in force that units have not acknowledged yet."""
    orders = ctx.scoped("alert-levels")
    if orders is None:
        return
    for order in orders.filter(in_force_q(), unit_path__in=ctx.paths).select_related(
            "unit").annotate(waiting=Count("units", filter=Q(
                units__acknowledged_at__isnull=True))).filter(waiting__gt=0) \
            .order_by("level")[:SOURCE_LIMIT]:
        yield WorkItem(
            title=ngettext("%(n)s unit has not acknowledged alert %(level)s",
                           "%(n)s units have not acknowledged alert %(level)s",
                           order.waiting) % {"n": order.waiting,
                                             "level": order.get_level_display()},
            detail=order.reason[:120], url=order.get_absolute_url(),
            action=_("Follow up"), unit=order.unit.name, due=order.starts_at)
