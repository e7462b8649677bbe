"""Hazards raised by compliance gaps (SPEC STD-5, docs/inspections.md "Gap-raised
hazards"): a requirement that becomes unmet for a unit raises one hazard there, once; the
system closes it when the requirement is met again (or no longer applies).

The standards engine knows nothing of hazards: it sends `results_changed` with the
results whose status changed, inside the transaction that stores them, and this module
answers in bulk — one query to find the open gap hazards of those units, one INSERT for
the new hazards, their audit entries per chain at once. Results that merely held are
never sent, so the nightly run over unchanged units costs nothing here."""
from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from fangfan.core import audit
from fangfan.core.models.audit import AuditAction
from fangfan.core.prepared import fetch, related
from fangfan.inspections import services, tallies
from fangfan.inspections.models import (
    OPEN_STATUSES,
    Hazard,
    HazardKind,
    HazardSource,
    Severity,
)
from fangfan.standards.fixes import shortfall
from fangfan.standards.models import Requirement, Result, Status, localized
from fangfan.standards.signals import Transition, results_changed

# After these the requirement asks nothing more of the unit, so its gap hazard closes
# (None: the requirement is no longer among the unit's active packs). An unknown result
# leaves an open hazard open: not knowing is not being met.
SETTLED = {Status.MET, Status.NOT_APPLICABLE, None}
CHUNK = 500


def connect() -> None:
    results_changed.connect(on_results_changed, dispatch_uid="inspections-gap-hazards")


def on_results_changed(sender, transitions: list[Transition], **kwargs) -> None:
    if not settings.FANGFAN_GAP_HAZARDS:
        return
    unmet = [t for t in transitions if t.new == Status.UNMET]
    settled = [t for t in transitions
               if t.new in SETTLED and t.old in (Status.UNMET, Status.UNKNOWN)]
    if unmet:
        raise_hazards(unmet)
    if settled:
        close_hazards(settled)


def raises_hazard(requirement: Requirement) -> bool:
    """The supervisor's duties (R-SUPV, `duty_of: supervisor`) are not the school's to
    rectify: the authority's home page asks them of the authority instead."""
    return requirement.spec.get("duty_of") != "supervisor"


def raise_hazards(transitions: list[Transition]) -> list[Hazard]:
    """One open gap hazard per unit and newly unmet requirement; none where one is open
    already (the partial unique constraint `one_open_gap_hazard` decides between two
    evaluations raising it at the same moment)."""
    reqs = {r.pk: r for r in fetch(Requirement, Q(pk__in=sorted(
        {t.requirement_id for t in transitions})))}
    wanted = [t for t in transitions
              if t.requirement_id in reqs and raises_hazard(reqs[t.requirement_id])]
    if not wanted:
        return []
    have = {(h.unit_id, h.requirement_id) for h in _open(wanted, only_keys=True)}
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):  # stored once: the product's language
        found_by = _("Compliance check")[:100]
        new = [_hazard(t, reqs[t.requirement_id], today, found_by) for t in wanted
               if (t.unit_id, t.requirement_id) not in have]
    created = _insert(new)
    audit.record_many(None, [(h, AuditAction.CREATE, None, audit.snapshot(h), h.unit_path)
                             for h in created])
    return created


def _hazard(t: Transition, req: Requirement, today, found_by: str) -> Hazard:
    lines = [capfirst(shortfall(Result(required=t.required, actual=t.actual))),
             localized(req.remedy or {})]
    return Hazard(unit_id=t.unit_id, unit_path=t.unit_path, kind=HazardKind.HAZARD,
                  title=req.short_title[:200], description="\n".join(x for x in lines if x),
                  severity=Severity.GENERAL, source=HazardSource.COMPLIANCE_GAP,
                  found_on=today, found_by=found_by, requirement_id=t.requirement_id)


def _insert(hazards: list[Hazard]) -> list[Hazard]:
    """All at once; if another evaluation raised some of them meanwhile (the constraint
    refuses the batch), one by one, each in a savepoint, keeping those that go in."""
    if not hazards:
        return []
    try:
        with transaction.atomic():
            created = Hazard.objects.bulk_create(hazards, batch_size=1000)
            tallies.created(created)  # bulk_create bypasses save(): the board's counts
            return created
    except IntegrityError:
        pass
    created = []  # save() counts each on the board itself
    for hazard in hazards:
        hazard.pk, hazard._state.adding = None, True
        try:
            with transaction.atomic():
                hazard.save(force_insert=True)
        except IntegrityError:
            continue
        created.append(hazard)
    return created


def close_hazards(transitions: list[Transition]) -> int:
    """Close the open gap hazards of requirements met again, with a note saying so."""
    by_pair = {(t.unit_id, t.requirement_id): t for t in transitions}
    today = timezone.localdate()
    closed = 0
    with translation.override(settings.LANGUAGE_CODE):
        for hazard in _open(transitions):
            t = by_pair[(hazard.unit_id, hazard.requirement_id)]
            note = (_("The requirement is met again (%(date)s).") if t.new == Status.MET
                    else _("The requirement no longer applies to the unit (%(date)s)."))
            services.close_gap_hazard(hazard, note % {"date": today.isoformat()}, today)
            closed += 1
    return closed


def _open(transitions: Iterable[Transition], only_keys: bool = False) -> list[Hazard]:
    """The open gap hazards of these units and requirements, in order (one query per 500
    units, compiled once per shape: a single unit's re-evaluation asks it while it holds
    the database), with their units unless `only_keys` is all the caller reads."""
    pairs = {(t.unit_id, t.requirement_id) for t in transitions}
    units = sorted({u for u, _r in pairs})
    reqs = sorted({r for _u, r in pairs})
    out = []
    for i in range(0, len(units), CHUNK):
        found = fetch(Hazard, Q(source=str(HazardSource.COMPLIANCE_GAP),
                                status__in=[str(s) for s in OPEN_STATUSES],
                                unit_id__in=units[i:i + CHUNK], requirement_id__in=reqs))
        out.extend(h for h in found if (h.unit_id, h.requirement_id) in pairs)
    if not only_keys:
        for hazard in out:
            related(hazard, "unit")
    return out


def backfill(batch: int = 5000) -> int:
    """Raise the hazards of results that were unmet before gap hazards existed (results
    raise only when they change): every unmet result with no gap hazard at all, open or
    closed, for its unit and requirement. Run once after upgrading (`fangfan
    gap_hazards`); running it again raises nothing. Returns the hazards raised."""
    if not settings.FANGFAN_GAP_HAZARDS:
        return 0
    ever = Hazard.objects.filter(source=HazardSource.COMPLIANCE_GAP,
                                 unit_id=OuterRef("unit_id"),
                                 requirement_id=OuterRef("requirement_id"))
    rows = (Result.objects.filter(status=Status.UNMET).filter(~Exists(ever))
            .order_by("unit_path", "requirement_id")
            .values_list("unit_id", "unit_path", "requirement_id", "required", "actual"))
    pending = [Transition(u, p, r, None, Status.UNMET, req, act)
               for u, p, r, req, act in rows.iterator(chunk_size=batch)]
    raised = 0
    for i in range(0, len(pending), batch):
        with transaction.atomic():
            raised += len(raise_hazards(pending[i:i + batch]))
    return raised
