"""Pages of information reporting (INF-1) beyond the generic record pages: a unit fills
in a window's form (prefilled from its records), the authority sees who has and has not
submitted and the figures rolled up (on screen and as .xlsx), and the annex-4
statistics table of any subtree as .xlsx."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core import evidence, permissions, registry, services
from fangfan.core.downloads import XLSX, attachment, document_language
from fangfan.core.models import Unit
from fangfan.core.views.pages import unit_for
from fangfan.core.views.records import refusal_text, visible_record
from fangfan.information import annex4, reporting, workbooks
from fangfan.information.models import (
    FieldKind,
    ReportingWindow,
    Submission,
    SubmissionValue,
    answer_error,
    check_open,
    parse_number,
)


def _submitting_unit(request, window: ReportingWindow) -> Unit:
    """The unit the user fills in for: `?unit=code`, else the only unit below the
    window the user may submit for; 404 when the user may not submit for it."""
    rt = registry.get("submissions")
    code = request.GET.get("unit") or request.POST.get("unit")
    candidates = reporting.asked_units(window)
    if code:
        candidates = candidates.filter(code=code)
    mine = [u for u in candidates[:200] if permissions.allowed(request.user, "add", rt,
                                                              u.path)]
    if len(mine) != 1:
        raise Http404
    return mine[0]


def fill(request, pk: int):
    """The window's form for one unit: each number mapped to a fact starts from the
    unit's records; a saved submission is shown again to be corrected while open."""
    window = visible_record(request, "reporting-windows", pk)
    unit = _submitting_unit(request, window)
    fields = list(window.fields.order_by("position"))
    existing = Submission.objects.filter(window=window, unit=unit).first()
    answers = {v.field_id: v for v in existing.values.all()} if existing else {}
    prefilled = reporting.prefill(window, unit)
    errors: dict[int, str] = {}
    typed: dict[int, str] = {}
    closed = ""
    try:
        check_open(window, unit)
    except ValidationError as exc:
        closed = refusal_text(exc)
    if request.method == "POST" and not closed:
        typed = {f.pk: request.POST.get(f"f{f.pk}", "") for f in fields}
        parsed, errors = _parse(request, fields, typed, answers)
        if not errors:
            try:
                existing = _save(request, window, unit, existing, parsed, answers)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, refusal_text(exc))
            else:
                messages.success(request, _("Report submitted."))
                return redirect(existing.get_absolute_url())
    rows = []
    for f in fields:
        value = typed.get(f.pk)
        if value is None:
            held = answers.get(f.pk)
            if held is not None:
                value = reporting._shown(held.number, held.text)
            elif f.pk in prefilled:
                value = str(prefilled[f.pk])
            else:
                value = ""
        rows.append({"field": f, "value": value, "error": errors.get(f.pk, ""),
                     "prefilled": f.pk in prefilled and f.pk not in answers,
                     "has_file": f.pk in answers and f.kind == FieldKind.FILE})
    return render(request, "information/fill.html", {
        "window": window, "unit": unit, "rows": rows, "closed": closed,
        "submission": existing}, status=400 if errors else 200)


fill = login_required(fill)


def _parse(request, fields, typed, answers):
    parsed, errors = {}, {}
    for f in fields:
        raw = typed[f.pk]
        number, text = None, ""
        if f.kind == FieldKind.NUMBER:
            try:
                number = parse_number(raw)
            except ValueError:
                errors[f.pk] = _("Give a number.")
                continue
        elif f.kind == FieldKind.FILE:
            upload = request.FILES.get(f"f{f.pk}")
            if upload is not None:
                text = upload.name[:255]
            elif f.pk in answers:
                text = answers[f.pk].text
            if f.required and not text:
                errors[f.pk] = _("Attach the file.")
                continue
            parsed[f.pk] = (None, text, upload)
            continue
        else:
            text = raw.strip()
        error = answer_error(f, number, text)
        if error:
            errors[f.pk] = str(error)
            continue
        parsed[f.pk] = (number, text, None)
    return parsed, errors


@transaction.atomic
def _save(request, window, unit, existing, parsed, answers) -> Submission:
    """The submission and its answers through the record services (validated, scoped
    and audited as the user's); files attached as evidence of their answer."""
    user = request.user
    if existing is None:
        existing = services.create_record(user, Submission, {"unit": unit, "window": window})
    else:
        services.update_record(user, existing, {"note": existing.note})
    fields = {f.pk: f for f in window.fields.all()}
    for fid, (number, text, upload) in parsed.items():
        held = answers.get(fid)
        data = {"number": number, "text": text}
        if held is None:
            held = services.create_record(user, SubmissionValue, {
                "unit": unit, "submission": existing, "field": fields[fid], **data})
        elif (held.number, held.text) != (number, text):
            services.update_record(user, held, data)
        if upload is not None:
            evidence.attach(user, held, upload)
    return existing


def _authority_window(request, pk: int) -> ReportingWindow:
    """The window, for someone who may read the submissions of its whole subtree."""
    window = visible_record(request, "reporting-windows", pk)
    if not permissions.allowed(request.user, "view", registry.get("submissions"),
                               window.unit_path):
        raise PermissionDenied
    return window


@login_required
def roll_up(request, pk: int):
    window = _authority_window(request, pk)
    return render(request, "information/roll_up.html", {
        "window": window, "r": reporting.roll_up(window), "today": timezone.localdate()})


@login_required
def roll_up_xlsx(request, pk: int):
    window = _authority_window(request, pk)
    language = document_language(request)
    return attachment(workbooks.roll_up(window, language), XLSX,
                      f"report-{window.pk}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def annex4_xlsx(request, code: str | None = None):
    unit = unit_for(request, code, annex4.RECORD_TYPE)
    language = document_language(request)
    return attachment(annex4.workbook(request.user, unit, language), XLSX,
                      f"annex4-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx")


TRAINING_LIMIT = 500


@login_required
def training_hours(request, code: str | None = None):
    """The unit's people with their training hours this year (培训台账), in one query."""
    from django.db.models import Count, Q

    from fangfan.information.facts import hours_this_year, year_start
    from fangfan.resources.models import Person

    unit = unit_for(request, code, "training-sessions")
    people = Person.objects.filter(permissions.restrict(
        request.user, "view", registry.get("people")), unit=unit).annotate(
        hours=hours_this_year(), sessions=Count("trainings", filter=Q(
            trainings__session__held_on__gte=year_start()))).order_by("-is_guard", "name")
    rows = list(people[:TRAINING_LIMIT + 1])
    return render(request, "information/training_hours.html", {
        "unit": unit, "people": rows[:TRAINING_LIMIT], "more": len(rows) > TRAINING_LIMIT,
        "limit": TRAINING_LIMIT, "year": timezone.localdate().year,
        "may_add": permissions.allowed(request.user, "add", registry.get("training-sessions"),
                                       unit.path)})
