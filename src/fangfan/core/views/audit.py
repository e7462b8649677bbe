"""The audit log, browsed by administrators and auditors, scoped like everything else."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fangfan.core import audit, permissions, registry
from fangfan.core.models import AuditEntry, Unit
from fangfan.core.models.audit import AuditAction


@login_required
def audit_log(request):
    if not permissions.can_read_audit(request.user):
        raise PermissionDenied
    qs = AuditEntry.objects.filter(permissions.audit_q(request.user))
    rtype, action, q = (request.GET.get(k, "") for k in ("type", "action", "q"))
    if rtype:
        qs = qs.filter(record_type=rtype)
    if action:
        qs = qs.filter(action=action)
    if q:
        qs = qs.filter(record_repr__icontains=q)
    page = Paginator(qs.select_related("actor"), 50).get_page(request.GET.get("page"))
    types = [(rt.label, rt.verbose_name) for rt in registry.record_types()]
    types += [(label, audit.type_name(label)) for label in audit.OTHER_AUDITED]
    return render(request, "core/audit_log.html", {
        "page": page, "rows": audit.present(page), "types": types,
        "actions": AuditAction.choices,
        "filters": {"type": rtype, "action": action, "q": q},
    })


@login_required
def audit_entry(request, pk: int):
    if not permissions.can_read_audit(request.user):
        raise PermissionDenied
    entry = get_object_or_404(AuditEntry.objects.filter(permissions.audit_q(request.user)),
                              pk=pk)
    chain = Unit.objects.filter(path=entry.chain).values_list("name", flat=True).first()
    return render(request, "core/audit_entry.html", {
        "entry": entry, "shown": audit.present([entry])[0], "link": _record_link(entry),
        "chain": chain or (_("Whole system") if entry.chain == "global"
                           else _("A unit since moved or removed"))})


def _record_link(entry: AuditEntry) -> str:
    """The page of the entry's record, while it exists and is a browsable record type."""
    rt = registry.for_label(entry.record_type)
    if rt is None or entry.action == AuditAction.DELETE:
        return ""
    if not rt.model._default_manager.filter(pk=entry.record_id).exists():
        return ""
    return reverse(rt.url_name("detail"), args=[entry.record_id])
