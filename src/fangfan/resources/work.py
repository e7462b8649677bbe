"""The work that people and resources give a school each day (home page, issue 8):
faults against their 24-hour clock, certificates (the school bus driving qualification
among them) and background re-checks to renew, maintenance falling due, and school
buses' annual inspections and insurance."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.work import OVERDUE, SOURCE_LIMIT, WorkContext, WorkItem, source
from fangfan.resources.models import RECHECK_DAYS


@source
def open_faults(ctx: WorkContext) -> Iterator[WorkItem]:
    for f in ctx.due("faults", "due_at", "asset", restored_at__isnull=True):
        yield ctx.item("faults", f, _("Record the repair"), due=f.due_at,
                       title=_("Fault: %(asset)s") % {"asset": f.asset.name},
                       detail=f.description)


@source
def certificates_to_renew(ctx: WorkContext) -> Iterator[WorkItem]:
    for c in ctx.due("certificates", "expires_on", "person"):
        yield ctx.item("certificates", c, _("Renew"), due=c.expires_on,
                       title=_("%(kind)s of %(person)s expires") % {
                           "kind": c.get_kind_display(), "person": c.person.name})


@source
def background_rechecks(ctx: WorkContext) -> Iterator[WorkItem]:
    """People in contact with minors whose last check is a year old (or who have none)."""
    people = ctx.scoped("people")
    if people is None or ctx.scoped("background-checks") is None:
        return
    cutoff = ctx.horizon - dt.timedelta(days=RECHECK_DAYS)
    due = (people.filter(contact_with_minors=True)
           .annotate(last=Max("background_checks__checked_on"))
           .filter(Q(last__isnull=True) | Q(last__lte=cutoff))
           .select_related("unit").order_by("last")[:SOURCE_LIMIT])
    add = reverse("records:background-checks-add")
    for p in due:
        # Never checked: overdue since hiring, which is not recorded, so no date is said.
        when = p.last + dt.timedelta(days=RECHECK_DAYS) if p.last else None
        yield WorkItem(title=_("Background check of %(person)s") % {"person": p.name},
                       detail="" if p.last else _("Never checked."), due=when,
                       bucket="" if p.last else OVERDUE,
                       unit=p.unit.name, url=f"{add}?person={p.pk}&unit={p.unit_id}",
                       action=_("Record the check"))


@source
def maintenance_due(ctx: WorkContext) -> Iterator[WorkItem]:
    for m in ctx.due("maintenance", "next_due_on", "asset"):
        yield ctx.item("maintenance", m, _("Record it done"), due=m.next_due_on,
                       title=_("%(kind)s of %(asset)s") % {
                           "kind": m.get_kind_display(), "asset": m.asset.name})


@source
def bus_inspections_due(ctx: WorkContext) -> Iterator[WorkItem]:
    """Buses in service whose annual inspection falls due within the home page's 30
    days, or has passed (res-bus): log the inspection, which moves the date on."""
    add = reverse("records:bus-inspections-add")
    for bus in ctx.due("school-buses", "inspection_due_on", in_service=True):
        title = _("Annual inspection of bus %(plate)s") % {"plate": bus.plate}
        if permissions.allowed(ctx.user, "add", registry.get("bus-inspections"), bus.unit_path):
            yield WorkItem(title=title, due=bus.inspection_due_on, unit=bus.unit.name,
                           url=f"{add}?bus={bus.pk}&unit={bus.unit_id}&kind=annual_inspection",
                           action=_("Log the inspection"))
        else:
            yield ctx.item("school-buses", bus, _("Log the inspection"),
                           due=bus.inspection_due_on, title=title)


@source
def bus_insurance_due(ctx: WorkContext) -> Iterator[WorkItem]:
    for bus in ctx.due("school-buses", "insured_until", in_service=True):
        yield ctx.item("school-buses", bus, _("Renew"), due=bus.insured_until,
                       title=_("Insurance of bus %(plate)s ends") % {"plate": bus.plate})
