"""The gate's pages beyond the record pages: a visit's steps (confirm, approve, check in,
check out, cancel), the public self-service form behind a unit's link, and the printable
passes. The public form only writes: it shows nothing of the unit's records."""
from __future__ import annotations

import time

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fangfan.core import services as core_services
from fangfan.core.authentication import client_address
from fangfan.core.forms import add_errors
from fangfan.core.views.records import record_step, step_view, visible_record
from fangfan.gate import services
from fangfan.gate.models import DocumentType, Visit, VisitorLink, VisitStatus
from fangfan.gate.shown import shown

# Requests through the public form: per client address and per link, each hour.
PER_ADDRESS, PER_LINK = 10, 100


confirm = step_view("visits", services.confirm,
                    gettext_lazy("The visit is confirmed: the gate expects the visitor."))
approve = step_view("visits", services.approve,
                    gettext_lazy("The visit to the key location is approved."))


@login_required
@require_POST
def check_in(request, pk: int):
    visit = visible_record(request, "visits", pk)

    def step() -> None:
        services.check_in(request.user, visit, request.POST.get("document_type", ""),
                          request.POST.get("document_returned") == "on",
                          request.POST.get("identity_number", "").strip() or None)

    def done() -> str:
        if visit.watch_match:
            return _("Checked in. Warning: this visitor matches the unit's watch list — "
                     "call the duty leader.")
        return _("Checked in.")

    response = record_step(request, visit, step, done)
    return response


check_out = step_view("visits", services.check_out, gettext_lazy("Checked out."))
cancel = step_view("visits", services.cancel, gettext_lazy("The visit is cancelled."))


# --- printable passes ---------------------------------------------------------------------
@login_required
def visit_pass(request, pk: int):
    """The visitor's pass for a visit in progress: name (masked), host, destination, the
    time in; A6 to hand over, A4 to file."""
    visit = visible_record(request, "visits", pk)
    if visit.status != VisitStatus.CHECKED_IN:
        raise Http404
    return render(request, "gate/print_visit.html", {
        "visit": visit, "name": shown(request.user, visit, "visitor_name"),
        "plate": shown(request.user, visit, "vehicle_plate"), **_paper(request)})


@login_required
def gate_pass(request, pk: int):
    obj = visible_record(request, "gate-passes", pk)
    return render(request, "gate/print_pass.html", {
        "obj": obj, "name": shown(request.user, obj, "holder_name"), **_paper(request)})


def _paper(request) -> dict:
    return {"paper": "A4" if request.GET.get("paper") == "A4" else "A6"}


# --- the public self-service form ---------------------------------------------------------
class RequestForm(forms.Form):
    """The least a host needs to decide (PIPL Art. 6): no identity number here — the
    guard sees the document at the gate."""

    visitor_name = forms.CharField(label=gettext_lazy("Your name"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("Your phone"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "tel"}))
    company = forms.CharField(label=gettext_lazy("Company or organisation"), max_length=100,
                              required=False)
    whom = forms.CharField(label=gettext_lazy("Whom you visit"), max_length=50,
                           help_text=gettext_lazy("The name or department of the person "
                                                  "you come to see."))
    purpose = forms.CharField(label=gettext_lazy("Purpose of the visit"), max_length=140)
    expected_at = forms.DateTimeField(
        label=gettext_lazy("When you will come"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    vehicle_plate = forms.CharField(label=gettext_lazy("Vehicle plate, if you drive in"),
                                    max_length=10, required=False)
    agree = forms.BooleanField(label=gettext_lazy(
        "I have read how my information is used and kept."))


def _throttled(kind: str, ident: str, limit: int) -> bool:
    key = f"fangfan:visitor-link:{kind}:{ident}:{int(time.time() // 3600)}"
    cache.add(key, 0, 3700)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3700)
        count = 1
    return count > limit


@never_cache
def public_request(request, token: str):
    """GET: the form and its privacy notice; POST: an appointment for the link's host
    to confirm. A revoked or unknown link answers 404 alike; nothing the unit holds is
    shown, and the answer to a request repeats none of it."""
    link = VisitorLink.objects.filter(token=token, active=True).select_related(
        "unit", "host").first()
    if link is None:
        raise Http404
    from fangfan.core import registry

    notice = registry.get("visits").personal_data
    form = RequestForm(request.POST or None)
    context = {"link": link, "unit_name": link.unit.name, "form": form, "notice": notice,
               "retention": _retention_days(notice)}
    if request.method != "POST":
        return render(request, "gate/public_request.html", context)
    if _throttled("address", client_address(request), PER_ADDRESS) or \
            _throttled("link", str(link.pk), PER_LINK):
        context["throttled"] = True
        return render(request, "gate/public_request.html", context, status=429)
    if form.is_valid():
        data = form.cleaned_data
        try:
            core_services.create_record(None, Visit, {
                "unit": link.unit, "host": link.host, "via_link": True,
                "visitor_name": data["visitor_name"], "phone": data["phone"],
                "company": data["company"], "expected_at": data["expected_at"],
                "vehicle_plate": data["vehicle_plate"],
                "purpose": f"{data['purpose']}（{_('visiting')}：{data['whom']}）"[:200]})
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return render(request, "gate/public_done.html", {"unit_name": link.unit.name})
    return render(request, "gate/public_request.html", context, status=400)


def _retention_days(notice) -> int:
    from django.conf import settings

    return int(getattr(settings, notice.retention_setting, notice.retention_days))


def check_in_choices() -> list[tuple[str, str]]:
    return list(DocumentType.choices)



