"""The actions of emergency plans, drills and accounting rounds beyond the record pages:
approving a plan, confirming having read it, a drill's problem to a hazard or a plan
revision in one step, and the phone page where a class or department reports its count,
with the round's totals refreshed live (HTMX)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangfan.core import permissions, registry
from fangfan.core.forms import add_errors
from fangfan.core.views.records import record_step, refusal_text, step_view, visible_record
from fangfan.emergency import services
from fangfan.emergency.models import AccountingReport

approve = step_view("emergency-plans", services.approve,
                    gettext_lazy("The plan is approved and in force."))
acknowledge = step_view("emergency-plans", services.acknowledge,
                        gettext_lazy("Thank you: your reading of the plan is recorded."))


@login_required
@require_POST
def drill_hazard(request, pk: int):
    """One of the drill's problems becomes a hazard of its unit (source: drill)."""
    drill = visible_record(request, "drills", pk)
    problems = drill.problem_list
    try:
        problem = problems[int(request.POST.get("problem", ""))]
    except (ValueError, IndexError):
        raise Http404 from None
    try:
        hazard = services.hazard_from_drill(request.user, drill, problem)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
        return redirect(drill.get_absolute_url())
    messages.success(request, _("The problem is now a hazard to rectify."))
    return redirect(hazard.get_absolute_url())


@login_required
@require_POST
def revise_plan(request, pk: int):
    """The drill's plan is marked for revision, with the drill's problems as the reason."""
    drill = visible_record(request, "drills", pk)
    if drill.plan_id is None:
        raise Http404
    reason = request.POST.get("reason", "").strip() or _(
        "Drill of %(date)s: %(problems)s") % {"date": drill.held_on,
                                              "problems": "; ".join(drill.problem_list)}
    return record_step(request, drill,
                       lambda: services.mark_for_revision(request.user, drill.plan, reason),
                       _("The plan is marked for revision."))


class CountForm(forms.ModelForm):
    class Meta:
        model = AccountingReport
        fields = ["group_name", "enrolled", "present", "missing", "injured"]
        widgets = {name: forms.NumberInput(attrs={
            "class": "form-control form-control-lg", "inputmode": "numeric", "min": "0"})
            for name in ("enrolled", "present", "missing", "injured")}
        widgets["group_name"] = forms.TextInput(attrs={
            "class": "form-control form-control-lg", "autocomplete": "off"})

    def _post_clean(self) -> None:  # the services validate, once, with the round
        pass


PLACEHOLDER = gettext_lazy("e.g. Class 3 (2) or the logistics office")


@login_required
def count(request, pk: int):
    """The phone page (390 px): a class or department reports its count in the round."""
    rnd = visible_record(request, "accounting-rounds", pk)
    may_report = permissions.allowed(request.user, "add", registry.get("accounting-reports"),
                                     rnd.unit_path)
    form = CountForm(request.POST or None)
    form.fields["group_name"].widget.attrs["placeholder"] = PLACEHOLDER
    status = 200
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.report(request.user, rnd, form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Count of %(group)s recorded.") % {
                    "group": form.cleaned_data["group_name"]})
                return redirect("accounting-count", pk=rnd.pk)
        status = 400
    return render(request, "emergency/count.html", {
        "round": rnd, "form": form, "may_report": may_report and rnd.in_progress,
        "totals": services.totals(rnd), "reports": rnd.reports.select_related("reporter"),
        "may_close": rnd.in_progress and permissions.allowed(
            request.user, "change", registry.get("accounting-rounds"), rnd.unit_path)},
        status=status)


@login_required
def totals(request, pk: int):
    """The round's live totals (polled by HTMX every 10 seconds)."""
    rnd = visible_record(request, "accounting-rounds", pk)
    return render(request, "emergency/totals.html", {
        "round": rnd, "totals": services.totals(rnd),
        "reports": rnd.reports.select_related("reporter")})


close = step_view("accounting-rounds", services.close_round,
                  gettext_lazy("The accounting round is closed."))
