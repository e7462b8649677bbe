"""The incident report download: only for those who may view the incident (404
otherwise, no existence leak), in the reader's language or the one asked for."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangfan.core import permissions, registry
from fangfan.core.downloads import DOCX, attachment, document_language
from fangfan.incidents import documents
from fangfan.incidents import services as incident_services
from fangfan.incidents.models import Incident


@login_required
def report_docx(request, pk: int):
    visible = Incident.objects.filter(
        permissions.restrict(request.user, "view", registry.get("incidents")))
    incident = get_object_or_404(
        visible.select_related("unit", "location", "device", "reported_by")
        .prefetch_related("reports", "tasks__group", "events__by", "statements__spokesperson"),
        pk=pk)
    language = document_language(request)
    return attachment(documents.report(incident, language), DOCX,
                     f"incident-report-{incident.pk}-{language}.docx")


@login_required
@require_POST
def start_accounting(request, pk: int):
    incident = get_object_or_404(Incident.objects.filter(
        permissions.restrict(request.user, "view", registry.get("incidents"))), pk=pk)
    try:
        round_ = incident_services.start_accounting(request.user, incident)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(incident.get_absolute_url())
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Accounting started: each class and department reports "
                                "its count."))
    return redirect(round_.get_absolute_url())
