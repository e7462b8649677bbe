"""Inspections and hazards (SPEC §5): checklists, inspections with their item results
(INS-1), and hazards with their lifecycle from found to closed (INS-2), each step of
which is a record of its own (HazardStep), so the history is kept, audited and served by
the one record machinery."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.resources.models import Location, Person


class InspectionKind(models.TextChoices):
    SELF = "self", _("Self-inspection")  # 自查 (monthly, R-SELF)
    SUPERVISORY = "supervisory", _("Supervisory inspection")  # 督导检查 (R-SUPV)
    SPECIAL = "special", _("Special inspection")  # 专项检查 (sensitive period, incident)


class Checklist(UnitRecord):
    """A checklist an authority (or a unit) writes for inspections in its subtree; the
    shipped lists (`inspections.checklists`) are used where none is chosen."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("for inspections of kind"), max_length=16,
                            choices=InspectionKind.choices, default=InspectionKind.SELF)
    items = models.TextField(_("items"), help_text=_("One item to check per line."))

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["unit_path", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def item_list(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]

    def clean(self) -> None:
        if not self.item_list:
            raise ValidationError({"items": _("Write at least one item to check.")})
        if len(self.item_list) > MAX_ITEMS:
            raise ValidationError({"items": _("A checklist holds at most %(n)s items.")
                                   % {"n": MAX_ITEMS}})


MAX_ITEMS = 200


class Inspection(UnitRecord):
    """An inspection of one unit. Its items are copied from the checklist when it is
    created, so a later change of the checklist never rewrites what was inspected."""

    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices,
                            default=InspectionKind.SELF)
    authority = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("inspecting authority"),
        help_text=_("For a supervisory inspection: the authority that inspects."))
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("checklist"),
        help_text=_("Leave empty for the standard list of the inspection's kind."))
    inspected_on = models.DateField(_("inspected on"), default=timezone.localdate)
    inspectors = models.CharField(_("inspectors"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    # The authority is the unit's own supervisor (the unit directly above it): only
    # these count for R-SUPV. Set by the services.
    by_supervisor = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["unit_path", "-inspected_on"]
        # Each covers what a nightly fact reads of a province's 715,000 inspections, so
        # its count reads the index alone: the months of self-inspection by path
        # (`inspections`), the supervisor's by unit (`supervision`; 0.55 and 0.5 s
        # reading the rows).
        indexes = [models.Index(fields=["unit_path", "kind", "inspected_on", "completed_on"],
                                name="inspections_self_months"),
                   models.Index(fields=["unit", "by_supervisor", "completed_on",
                                        "inspected_on"], name="inspections_supervised")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.inspected_on}"

    def clean(self) -> None:
        errors = {}
        if self.inspected_on and self.inspected_on > timezone.localdate():
            errors["inspected_on"] = _("An inspection is recorded once it has taken place.")
        if self.kind == InspectionKind.SUPERVISORY and not self.authority_id:
            errors["authority"] = _("Say which authority carries out the supervisory "
                                    "inspection.")
        if self.kind != InspectionKind.SUPERVISORY and self.authority_id:
            errors["authority"] = _("Only a supervisory inspection is carried out by an "
                                    "authority.")
        if self.checklist_id and self.checklist.kind != self.kind:
            errors["checklist"] = _("This checklist is for inspections of another kind.")
        if self.authority_id and self.unit_id and not _above(self.authority.path,
                                                             self.unit.path):
            errors["authority"] = _("An authority inspects only units under it.")
        if errors:
            raise ValidationError(errors)


def _above(ancestor: str, path: str) -> bool:
    return path.startswith(ancestor) and path != ancestor


class ItemResult(models.TextChoices):
    OPEN = "open", _("Not checked yet")
    PASS = "pass", _("Pass")  # 合格
    FAIL = "fail", _("Fail")  # 不合格
    NOT_APPLICABLE = "na", _("Not applicable")  # 不适用


class Finding(UnitRecord):
    """One checklist item of an inspection and its result, with a note and photos."""

    same_unit = {"inspection": _("The inspection belongs to another unit.")}

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE,
                                   related_name="findings", verbose_name=_("inspection"))
    number = models.PositiveSmallIntegerField(_("no."), default=1)
    item = models.CharField(_("item"), max_length=500)
    result = models.CharField(_("result"), max_length=8, choices=ItemResult.choices,
                              default=ItemResult.OPEN)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        ordering = ["inspection", "number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.item}"

    def clean(self) -> None:
        if self.result == ItemResult.FAIL and not self.note.strip():
            raise ValidationError({"note": _("Say what was found wrong.")})


class Severity(models.TextChoices):
    GENERAL = "general", _("General")  # 一般隐患
    MAJOR = "major", _("Major")  # 重大隐患


class HazardSource(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    DRILL = "drill", _("Drill")
    FAULT = "fault", _("Fault")
    COMPLIANCE_GAP = "gap", _("Compliance gap")
    SUSPICIOUS_REPORT = "report", _("Suspicious report")
    DISPATCH = "dispatch", _("Dispatched by an authority")  # 派单
    MANUAL = "manual", _("Reported by hand")


class HazardKind(models.TextChoices):
    HAZARD = "hazard", _("Hazard")  # 隐患
    TASK = "task", _("Task")  # 任务 (dispatched work that is not a hazard)


class HazardStatus(models.TextChoices):
    FOUND = "found", _("Found")  # 待交办
    ASSIGNED = "assigned", _("Being rectified")  # 整改中
    RECTIFIED = "rectified", _("Awaiting verification")  # 待验收
    RETURNED = "returned", _("Returned")  # 退回重改
    CLOSED = "closed", _("Closed")  # 已销号


OPEN_STATUSES = [HazardStatus.FOUND, HazardStatus.ASSIGNED, HazardStatus.RECTIFIED,
                 HazardStatus.RETURNED]


class Hazard(UnitRecord):
    """A hazard (隐患) or a dispatched task, from discovery to closure. The lifecycle
    fields below the first block are written by its steps (HazardStep), never typed."""

    same_unit = {"location": _("The location belongs to another unit."),
                 "responsible": _("The responsible person belongs to another unit."),
                 "finding": _("The inspection item belongs to another unit.")}

    kind = models.CharField(_("kind"), max_length=8, choices=HazardKind.choices,
                            default=HazardKind.HAZARD)
    title = models.CharField(_("problem found"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="hazards", verbose_name=_("location"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices,
                                default=Severity.GENERAL)
    source = models.CharField(_("source"), max_length=10, choices=HazardSource.choices,
                              default=HazardSource.MANUAL)
    found_on = models.DateField(_("found on"), default=timezone.localdate)
    found_by = models.CharField(_("found by"), max_length=100, blank=True)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="hazards", verbose_name=_("inspection item"))
    responsible = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="hazards",
                                    verbose_name=_("responsible person"))
    measures = models.TextField(_("measures"), blank=True)
    deadline = models.DateField(_("rectify by"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=HazardStatus.choices,
                              default=HazardStatus.FOUND, editable=False)
    requirement = models.ForeignKey("standards.Requirement", on_delete=models.SET_NULL,
                                    null=True, blank=True, editable=False, related_name="+",
                                    verbose_name=_("requirement"))
    dispatched_by = models.ForeignKey("core.Unit", on_delete=models.PROTECT, null=True,
                                      blank=True, editable=False, related_name="+",
                                      verbose_name=_("dispatched by"))
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True, editable=False)
    rectification = models.TextField(_("what was done"), blank=True, editable=False)
    rectified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, editable=False, related_name="+",
                                     verbose_name=_("rectified by"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, editable=False, related_name="+",
                                    verbose_name=_("verified by"))
    # Escalation marks (claimed by the worker before it notifies, so once each).
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["unit_path", "-found_on", "-pk"]
        indexes = [models.Index(fields=["unit_path", "status", "deadline"]),
                   models.Index(fields=["status", "deadline"])]
        constraints = [models.UniqueConstraint(
            fields=["unit", "requirement"], condition=models.Q(
                source="gap", status__in=["found", "assigned", "rectified", "returned"]),
            name="one_open_gap_hazard")]

    unique_error = ("title", _("This gap already has an open hazard."))

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def overdue(self) -> bool:
        end = self.closed_on or timezone.localdate()
        return bool(self.deadline) and end > self.deadline

    def save(self, *args, **kwargs) -> None:
        """Saved with its share of the board's counts (inspections.tallies): the stored
        row read (locked) before, the difference applied after, in one transaction."""
        from fangfan.inspections import tallies

        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            old = None if self._state.adding or self.pk is None else tallies.stored(self.pk)
            super().save(*args, **kwargs)
            tallies.saved(self, old, kwargs.get("update_fields"))

    def clean(self) -> None:
        errors = {}
        today = timezone.localdate()
        if self.found_on and self.found_on > today:
            errors["found_on"] = _("A hazard is recorded once it has been found.")
        if self.deadline and self.found_on and self.deadline < self.found_on:
            errors["deadline"] = _("The deadline cannot lie before the hazard was found.")
        if bool(self.responsible_id) != bool(self.deadline) and self.status == "found":
            missing = "deadline" if self.responsible_id else "responsible"
            errors[missing] = _("Assign a hazard with both a responsible person and a "
                                "deadline, or with neither.")
        if errors:
            raise ValidationError(errors)
        if self.status == HazardStatus.FOUND and self.responsible_id and self.deadline:
            self.status = HazardStatus.ASSIGNED


class HazardTally(models.Model):
    """One exact count of the hazards of a unit's whole subtree (the unit and every unit
    below it), the source of the hazard board (issue 9): `key` is "total", "open",
    "escalated", "closed", "closed_with_deadline" or "on_time"; "found:YYYY-MM" and
    "closed:YYYY-MM" per month; "due:YYYY-MM-DD" the open hazards with that deadline
    (overdue = those before today). Kept by inspections.tallies on every write."""

    unit_path = models.CharField(max_length=255)
    key = models.CharField(max_length=24)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit_path", "key"],
                                               name="one_hazard_tally")]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.key} {self.n}"


class StepKind(models.TextChoices):
    ASSIGN = "assign", _("Assign")  # 交办
    RECTIFY = "rectify", _("Report rectified")  # 整改完成
    VERIFY = "verify", _("Verify and close")  # 验收销号
    RETURN = "return", _("Return for rework")  # 退回


# From which statuses each step may be taken, and the status it leads to.
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    StepKind.ASSIGN: ({HazardStatus.FOUND, HazardStatus.ASSIGNED, HazardStatus.RETURNED},
                      HazardStatus.ASSIGNED),
    StepKind.RECTIFY: ({HazardStatus.ASSIGNED, HazardStatus.RETURNED},
                       HazardStatus.RECTIFIED),
    StepKind.VERIFY: ({HazardStatus.RECTIFIED}, HazardStatus.CLOSED),
    StepKind.RETURN: ({HazardStatus.RECTIFIED}, HazardStatus.RETURNED),
}


class HazardStep(UnitRecord):
    """One step of a hazard's lifecycle: who did what, when and why. Rectification
    photos are attached to the rectify step."""

    same_unit = {"hazard": _("The hazard belongs to another unit."),
                 "responsible": _("The responsible person belongs to another unit.")}

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="steps",
                               verbose_name=_("hazard"))
    kind = models.CharField(_("step"), max_length=8, choices=StepKind.choices)
    responsible = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("responsible person"))
    measures = models.TextField(_("measures"), blank=True)
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_(
        "Rectified: what was done. Returned: why it is not done yet."))
    done_on = models.DateField(_("date"), default=timezone.localdate)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, editable=False, related_name="+",
                           verbose_name=_("by"))

    class Meta:
        verbose_name = _("hazard step")
        verbose_name_plural = _("hazard steps")
        ordering = ["hazard", "done_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.done_on}"

    @property
    def closes_gap(self) -> bool:
        """The system (no person) verifying a hazard raised by a compliance gap: its
        requirement is met again, so it closes from any open status (inspections.gaps)."""
        return bool(self.kind == StepKind.VERIFY and self.by_id is None and self.hazard_id
                    and self.hazard.source == HazardSource.COMPLIANCE_GAP
                    and self.hazard.status in OPEN_STATUSES)

    def clean(self) -> None:
        errors = {}
        if self.done_on and self.done_on > timezone.localdate():
            errors["done_on"] = _("A step is recorded once it is done.")
        if self.kind == StepKind.ASSIGN:
            if not self.responsible_id:
                errors["responsible"] = _("Name the person responsible for the rectification.")
            if not self.deadline:
                errors["deadline"] = _("Set a deadline for the rectification.")
            elif self.hazard_id and self.deadline < self.hazard.found_on:
                errors["deadline"] = _("The deadline cannot lie before the hazard was found.")
        if self.kind in (StepKind.RECTIFY, StepKind.RETURN) and not self.note.strip():
            errors["note"] = (_("Say what was done: the evidence of the rectification.")
                              if self.kind == StepKind.RECTIFY
                              else _("Say why the rectification is returned."))
        if self._state.adding and self.hazard_id and self.kind in TRANSITIONS \
                and not errors and not self.closes_gap:
            allowed, _to = TRANSITIONS[self.kind]
            if self.hazard.status not in allowed:
                errors["kind"] = _("This step cannot follow: the hazard is %(status)s.") % {
                    "status": self.hazard.get_status_display().lower()}
        if errors:
            raise ValidationError(errors)


# Notices, the risk register and sensitive periods (INS-3, INS-5, STD-4) live in their
# own module; imported here so Django finds them.
from fangfan.inspections.notices import (  # noqa: E402, F401
    Notice,
    NoticeReceipt,
    NoticeUnit,
    Risk,
    RiskTemplate,
    SensitivePeriod,
)
