"""The decision on a unit's change request (issue 13): only someone above the unit
decides (the request's `status` is decided above it); an approval applies the values to
the unit as the approver's audited change, in the same transaction, so an approval whose
values the unit cannot take (more boarders than students) is refused whole."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import notify, permissions, registry, services
from fangfan.core.models import Unit
from fangfan.core.models.changes import RequestStatus, UnitChangeRequest
from fangfan.core.registry import RecordServices
from fangfan.core.work import SOURCE_LIMIT, TODAY, WorkContext, WorkItem, source


class ChangeRequestServices(RecordServices):
    def before_save(self, actor, obj: UnitChangeRequest, before: dict[str, Any] | None) -> None:
        if before is None:
            if obj.status != RequestStatus.PENDING:
                raise ValidationError({"status": _(
                    "A request is made waiting for a decision; the authority decides.")})
            return
        was = before.get("status")
        if was != RequestStatus.PENDING and was != obj.status:
            raise ValidationError({"status": _("This request has been decided already.")})
        if was == RequestStatus.PENDING and obj.status != RequestStatus.PENDING:
            obj.decided_by = actor
            obj.decided_on = timezone.localdate()

    def after_save(self, actor, obj: UnitChangeRequest, before: dict[str, Any] | None) -> None:
        if before is None:
            _tell_authority(obj)
            return
        if before.get("status") == RequestStatus.PENDING \
                and obj.status == RequestStatus.APPROVED:
            services.update_record(actor, Unit.objects.get(pk=obj.unit_id), obj.changes())


def _tell_authority(request: UnitChangeRequest) -> None:
    unit = Unit.objects.get(pk=request.unit_id)
    if unit.parent_id is None:
        return
    notify.notify_authority(unit.parent_id, _("%(unit)s asks to change its attributes") % {
        "unit": unit.name}, request.reason, request.get_absolute_url(),
        unit_path=unit.path, urgent=False)


@source
def requests_to_decide(ctx: WorkContext) -> Iterator[WorkItem]:
    """For an authority: the pending change requests of the units under it."""
    qs = ctx.scoped("unit-change-requests")
    if qs is None:
        return
    rt = registry.get("unit-change-requests")
    pending = qs.filter(status=RequestStatus.PENDING).select_related("unit") \
        .order_by("created_at")[:SOURCE_LIMIT]
    for r in pending:
        if permissions.allowed_above(ctx.user, "change", rt, r.unit_path):
            yield WorkItem(title=str(r), detail=r.reason, unit=r.unit.name, bucket=TODAY,
                           url=reverse(rt.edit_url_name, args=[r.pk]),
                           action=_("Decide"))
