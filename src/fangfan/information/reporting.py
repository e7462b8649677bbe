"""Reporting windows (INF-1): which units a window asks, what a unit's form starts
from (the figures of its records), who has and has not submitted, the figures rolled up
over the subtree, and the reminders of late units. Every figure is one grouped query,
whatever the size of the subtree."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fangfan.core.models import Unit
from fangfan.core.models.units import UnitKind
from fangfan.core.notify import notify_unit_leads
from fangfan.information.models import (
    FieldKind,
    ReportField,
    ReportingWindow,
    Submission,
    SubmissionValue,
    WindowReminder,
)

# Authorities do not report to a window: the units that keep the records do (schools,
# kindergartens, universities, …). A bureau or sub-district below the window's unit
# passes the window on to its own units.
AUTHORITY_KINDS = (UnitKind.POLICE_BUREAU, UnitKind.EDUCATION_BUREAU,
                   UnitKind.SUB_DISTRICT)
# A late unit is reminded when the deadline is this close and it has not submitted.
REMIND_DAYS_BEFORE = 1


def asked_units(window: ReportingWindow):
    """The units that should submit: below the window's unit, not authorities."""
    return Unit.objects.filter(path__startswith=window.unit_path).exclude(
        path=window.unit_path).exclude(kind__in=AUTHORITY_KINDS).order_by("path")


def prefill(window: ReportingWindow, unit: Unit) -> dict[int, object]:
    """{field id: value} for the number fields mapped to a fact: the unit's figure from
    its records (one query per fact family, a few)."""
    from fangfan.standards.facts import compute_unit

    mapped = {f.pk: f.fact for f in window.fields.all() if f.fact}
    if not mapped:
        return {}
    values = compute_unit(unit.path, set(mapped.values())).get(unit.path, {})
    out = {}
    for pk, name in mapped.items():
        value = values.get(name)
        if value is not None:
            out[pk] = int(value) if isinstance(value, bool) else value
    return out


@dataclass
class Column:
    field: ReportField
    total: Decimal | None = None  # numbers: the sum
    answered: int = 0
    counts: list[tuple[str, int]] = field(default_factory=list)  # choices: per option


@dataclass
class RollUp:
    window: ReportingWindow
    submitted: list[Submission]
    missing: list[Unit]
    columns: list[Column]
    asked: int

    @property
    def rate(self) -> int:
        return round(100 * len(self.submitted) / self.asked) if self.asked else 0


def roll_up(window: ReportingWindow) -> RollUp:
    """Who has submitted (with when and by whom), who has not, and per question the sum
    (numbers), the count per option (choices) or the answers given (text, file)."""
    asked = list(asked_units(window).only("id", "name", "path", "code"))
    submitted = list(window.submissions.select_related("unit", "submitted_by")
                     .order_by("unit__path"))
    done = {s.unit_id for s in submitted}
    fields = list(window.fields.order_by("position"))
    values = SubmissionValue.objects.filter(submission__window=window)
    sums = dict(values.values("field").annotate(n=Count("id", filter=(
        Q(number__isnull=False) | ~Q(text="")))).values_list("field", "n"))
    totals = dict(values.filter(field__kind=FieldKind.NUMBER).values("field")
                  .annotate(s=Sum("number")).values_list("field", "s"))
    options: dict[int, dict[str, int]] = {}
    for fid, text, n in values.filter(field__kind=FieldKind.CHOICE).values(
            "field", "text").annotate(n=Count("id")).values_list("field", "text", "n"):
        options.setdefault(fid, {})[text] = n
    columns = []
    for f in fields:
        col = Column(f, totals.get(f.pk), sums.get(f.pk, 0))
        if f.kind == FieldKind.CHOICE:
            col.counts = [(o, options.get(f.pk, {}).get(o, 0)) for o in f.option_list]
        columns.append(col)
    return RollUp(window, submitted, [u for u in asked if u.pk not in done], columns,
                  len(asked))


def answers_by_unit(window: ReportingWindow) -> dict[int, dict[int, str]]:
    """{unit id: {field id: the answer as shown}} for the export (one query)."""
    out: dict[int, dict[int, str]] = {}
    for unit_id, fid, number, text in SubmissionValue.objects.filter(
            submission__window=window).values_list("submission__unit_id", "field_id",
                                                   "number", "text"):
        out.setdefault(unit_id, {})[fid] = _shown(number, text)
    return out


def _shown(number, text: str) -> str:
    if number is not None:
        return f"{number.normalize():f}"
    return text


def remind_late(today: dt.date | None = None) -> int:
    """Remind each unit that has not submitted to a window whose deadline is tomorrow
    or past (while still within a week of it), once per unit and window: the reminder
    row is inserted first (the claim), so two workers never send it twice."""
    today = today or timezone.localdate()
    windows = ReportingWindow.objects.filter(
        deadline__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
        deadline__gte=today - dt.timedelta(days=7), opens_on__lte=today)
    sent = 0
    for window in windows:
        done = set(window.submissions.values_list("unit_id", flat=True))
        reminded = set(WindowReminder.objects.filter(window=window)
                       .values_list("unit_id", flat=True))
        for unit in asked_units(window).exclude(pk__in=done | reminded):
            try:
                with transaction.atomic():
                    WindowReminder.objects.create(window=window, unit=unit, sent_on=today)
                    title = (_("Overdue report: %(title)s") if window.deadline < today
                             else _("Report due %(date)s: %(title)s")) % {
                        "title": window.title, "date": window.deadline}
                    notify_unit_leads(unit.pk, unit.path, title, window.instructions,
                                      window.get_absolute_url())
            except IntegrityError:
                continue
            sent += 1
    return sent
