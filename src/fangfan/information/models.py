"""Information work (SPEC §7): situation analysis meetings and their follow-up tasks
(INF-2), training sessions, knowledge drills and publicity activities with their
participants (INF-3), the legal-education vice principal of a school, and the
reporting windows an authority opens for its subtree with the units' submissions
(INF-1). Attendees and participants are records of their own (one per person), so
they are scoped, audited and imported like every record."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.resources.models import Person


def _not_future(day: dt.date | None, field: str, message) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: message})


# --- meetings (INF-2) -------------------------------------------------------------
class MeetingKind(models.TextChoices):
    SITUATION = "situation", _("Quarterly situation analysis meeting")  # 形势分析会
    SPECIAL = "special", _("Special meeting")  # 专题会议


class Meeting(UnitRecord):
    """A meeting held at the unit. A quarterly situation analysis meeting (形势分析会,
    seed 002) fulfils R-MEET for its quarter; a special meeting does not."""

    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices,
                            default=MeetingKind.SITUATION)
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    topic = models.CharField(_("topic"), max_length=200)
    chair = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("chaired by"))
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True,
                                 help_text=_("What the meeting decided, one per line."))

    same_unit = {"chair": _("The chair must be one of the unit's people.")}

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["unit_path", "-held_on"]
        indexes = [models.Index(fields=["unit_path", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"

    def clean(self) -> None:
        _not_future(self.held_on, "held_on", _(
            "A meeting is recorded once it has been held: its day cannot be in the "
            "future."))


class MeetingAttendee(UnitRecord):
    """One person of the unit who attended a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees",
                                verbose_name=_("meeting"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))

    unique_error = ("person", _("This person is already recorded as attending."))
    same_unit = {"meeting": _("The meeting belongs to another unit."),
                 "person": _("Only people of the meeting's unit can be recorded as "
                             "attending.")}

    class Meta:
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")
        ordering = ["unit_path", "meeting", "person__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"],
                                               name="unique_meeting_attendee")]

    def __str__(self) -> str:
        return str(self.person)


class FollowUpTask(UnitRecord):
    """A task a meeting decided, with its owner and deadline; it comes back as work
    until it is closed, and it closes only with a note saying what was done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tasks",
                                verbose_name=_("meeting"))
    what = models.CharField(_("what is to be done"), max_length=300)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    deadline = models.DateField(_("deadline"))
    closed_on = models.DateField(_("done on"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True,
                                    help_text=_("What was done; needed to close the task."))
    # The day its owner was reminded (claimed before sending: once per task).
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    same_unit = {"meeting": _("The meeting belongs to another unit."),
                 "owner": _("The owner must be one of the unit's people.")}

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["unit_path", "deadline"]
        indexes = [models.Index(fields=["unit_path", "deadline"])]

    def __str__(self) -> str:
        return self.what

    def clean(self) -> None:
        errors = {}
        if self.closed_on and not self.closing_note.strip():
            errors["closing_note"] = _("Say what was done before closing the task.")
        if self.closing_note.strip() and not self.closed_on:
            errors["closed_on"] = _("Give the day the task was closed, or leave the note "
                                    "empty.")
        if self.closed_on and self.closed_on > timezone.localdate():
            errors["closed_on"] = _("A task cannot be closed on a day still to come.")
        if self.meeting_id and self.deadline and self.deadline < self.meeting.held_on:
            errors["deadline"] = _("The deadline cannot be before the meeting.")
        if errors:
            raise ValidationError(errors)


# --- training and publicity (INF-3) -------------------------------------------------
class SessionKind(models.TextChoices):
    TRAINING = "training", _("Training")  # 培训
    KNOWLEDGE_DRILL = "knowledge_drill", _("Knowledge drill")  # 知识演练
    PUBLICITY = "publicity", _("Publicity activity")  # 宣传活动


class PublicityForm(models.TextChoices):
    CLASS_MEETING = "class_meeting", _("Class meeting")  # 主题班会
    LECTURE = "lecture", _("Lecture")  # 专题讲座
    BOARD = "board", _("Display board")  # 宣传栏/板报
    ONLINE = "online", _("Online")  # 网络宣传
    OTHER = "other", _("Other")


HOURS_MAX = Decimal("24")


class TrainingSession(UnitRecord):
    """A training session, a drill of knowledge or a publicity activity. Its
    participants' hours are counted from it, so a person's training this year is what
    was recorded, never a figure typed by hand."""

    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices,
                            default=SessionKind.TRAINING)
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(HOURS_MAX)],
        help_text=_("Counted for each participant."))
    trainer = models.CharField(_("given by"), max_length=100, blank=True)
    publicity_form = models.CharField(_("form"), max_length=16, blank=True,
                                      choices=PublicityForm.choices)
    audience = models.PositiveIntegerField(
        _("audience"), null=True, blank=True,
        help_text=_("For a publicity activity: how many people it reached."))

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["unit_path", "-held_on"]
        indexes = [models.Index(fields=["unit_path", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"

    def clean(self) -> None:
        errors = {}
        try:
            _not_future(self.held_on, "held_on", _(
                "A session is recorded once it has been held: its day cannot be in the "
                "future."))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if self.kind != SessionKind.PUBLICITY:
            if self.audience is not None:
                errors["audience"] = _("An audience is counted for publicity activities "
                                       "only.")
            if self.publicity_form:
                errors["publicity_form"] = _("A form is given for publicity activities "
                                             "only.")
        if errors:
            raise ValidationError(errors)


class TrainingParticipant(UnitRecord):
    """One person of the unit who took part in a session."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE,
                                related_name="participants", verbose_name=_("session"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="trainings",
                               verbose_name=_("person"))

    unique_error = ("person", _("This person is already recorded as taking part."))
    same_unit = {"session": _("The session belongs to another unit."),
                 "person": _("Only people of the session's unit can be recorded as "
                             "taking part.")}

    class Meta:
        verbose_name = _("session participant")
        verbose_name_plural = _("session participants")
        ordering = ["unit_path", "session", "person__name"]
        constraints = [models.UniqueConstraint(fields=["session", "person"],
                                               name="unique_session_participant")]

    def __str__(self) -> str:
        return str(self.person)


class LegalVicePrincipal(UnitRecord):
    """The school's legal-education vice principal (法治副校长, seed 004): usually a
    police officer appointed by the public security bureau, so not one of the school's
    people; the one without an end date serves now."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200,
                                    help_text=_("Where the vice principal works, e.g. the "
                                                "local police station."))
    post = models.CharField(_("post"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    appointed_on = models.DateField(_("appointed on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    unique_error = ("unit", _("The unit already has a legal-education vice principal in "
                              "office; give the present one an end date first."))

    class Meta:
        verbose_name = _("legal-education vice principal")
        verbose_name_plural = _("legal-education vice principals")
        ordering = ["unit_path", "-appointed_on"]
        constraints = [models.UniqueConstraint(
            fields=["unit"], condition=Q(ended_on__isnull=True),
            name="one_legal_vice_principal_in_office")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.ended_on and self.appointed_on and self.ended_on < self.appointed_on:
            raise ValidationError({"ended_on": _("The end cannot be before the "
                                                 "appointment.")})


# --- reporting windows (INF-1) ------------------------------------------------------
class WindowKind(models.TextChoices):
    TERM_START = "term_start", _("Term start")  # 开学后
    BEFORE_VACATION = "before_vacation", _("Before vacation")  # 放假前
    SENSITIVE_PERIOD = "sensitive_period", _("Sensitive period")  # 重要敏感时节
    AD_HOC = "ad_hoc", _("Ad hoc request")


class ReportingWindow(UnitRecord):
    """A request by an authority for figures from every unit of its subtree, by a
    deadline, on a form it defines (its fields)."""

    kind = models.CharField(_("kind"), max_length=20, choices=WindowKind.choices,
                            default=WindowKind.AD_HOC)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    opens_on = models.DateField(_("opens on"), default=timezone.localdate)
    deadline = models.DateField(_("deadline"),
                                help_text=_("The last day the units may submit."))

    class Meta:
        verbose_name = _("reporting window")
        verbose_name_plural = _("reporting windows")
        ordering = ["unit_path", "-deadline"]
        indexes = [models.Index(fields=["unit_path", "-deadline"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.opens_on and self.deadline and self.deadline < self.opens_on:
            raise ValidationError({"deadline": _("The deadline cannot be before the "
                                                 "window opens.")})

    def open_for(self, unit_id: int, today: dt.date | None = None) -> bool:
        """May the unit submit today: before the deadline, or reopened for it."""
        today = today or timezone.localdate()
        if self.opens_on <= today <= self.deadline:
            return True
        return self.reopenings.filter(reopened_for_id=unit_id, until__gte=today).exists()


class FieldKind(models.TextChoices):
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")
    CHOICE = "choice", _("Choice")
    FILE = "file", _("File")


def fact_choices() -> list[tuple[str, str]]:
    """Facts a number field may be prefilled from: the standards facts kept from
    records, described in the reader's language (without rule ids)."""
    from fangfan.standards.facts import FACTS, describe

    return sorted(((f.name, describe(f.name)) for f in FACTS.values()
                   if f.kind in ("int", "float") and not f.unavailable),
                  key=lambda c: c[1])


class ReportField(UnitRecord):
    """One question of a window's form."""

    window = models.ForeignKey(ReportingWindow, on_delete=models.CASCADE,
                               related_name="fields", verbose_name=_("reporting window"))
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("answer type"), max_length=8, choices=FieldKind.choices,
                            default=FieldKind.NUMBER)
    options = models.TextField(_("options"), blank=True,
                               help_text=_("For a choice: one option per line."))
    fact = models.CharField(_("prefilled from"), max_length=64, blank=True,
                            choices=fact_choices,
                            help_text=_("For a number: the figure of the unit's records "
                                        "it starts from, so nothing is typed twice."))
    required = models.BooleanField(_("answer required"), default=True)

    same_unit = {"window": _("The reporting window belongs to another unit.")}
    unique_error = ("position", _("The form already has a question at this position."))

    class Meta:
        verbose_name = _("report field")
        verbose_name_plural = _("report fields")
        ordering = ["unit_path", "window", "position"]
        constraints = [models.UniqueConstraint(fields=["window", "position"],
                                               name="unique_report_field_position")]

    def __str__(self) -> str:
        return self.label

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def clean(self) -> None:
        errors = {}
        if self.kind == FieldKind.CHOICE and len(set(self.option_list)) < 2:
            errors["options"] = _("A choice needs at least two different options, one "
                                  "per line.")
        if self.kind != FieldKind.CHOICE and self.option_list:
            errors["options"] = _("Options are given for a choice only.")
        if self.fact and self.kind != FieldKind.NUMBER:
            errors["fact"] = _("Only a number can be prefilled from the records.")
        if errors:
            raise ValidationError(errors)


class Submission(UnitRecord):
    """A unit's answer to a window, refused after the deadline unless the authority
    reopened the window for the unit."""

    window = models.ForeignKey(ReportingWindow, on_delete=models.PROTECT,
                               related_name="submissions",
                               verbose_name=_("reporting window"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"), editable=False)
    note = models.TextField(_("note"), blank=True)

    unique_error = ("window", _("The unit has already submitted to this window; change "
                                "its submission instead."))

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["unit_path", "-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["window", "unit"],
                                               name="unique_submission_per_unit")]

    def __str__(self) -> str:
        # its own fields only: lists of answers name it without a query per row
        return str(_("Submission of %(date)s")) % {
            "date": timezone.localtime(self.submitted_at).strftime("%Y-%m-%d %H:%M")}

    def clean(self) -> None:
        if not (self.window_id and self.unit_id):
            return
        check_open(self.window, self.unit)


def check_open(window: ReportingWindow, unit) -> None:
    """Refuse a unit outside the window's subtree, or a submission when the window is
    closed for the unit (before it opens, after its deadline unless reopened)."""
    if not unit.path.startswith(window.unit_path) or unit.path == window.unit_path:
        raise ValidationError({"window": _("This window was opened for other units.")})
    if not window.open_for(unit.pk):
        if timezone.localdate() < window.opens_on:
            raise ValidationError({"window": _("This window opens on %(day)s.")
                                   % {"day": window.opens_on}})
        raise ValidationError({"window": _(
            "The deadline of this window (%(day)s) has passed; ask the authority that "
            "opened it to reopen it for your unit.") % {"day": window.deadline}})


class SubmissionValue(UnitRecord):
    """The answer to one question of a submission (a file answer's file is attached to
    it as evidence)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="values", verbose_name=_("submission"))
    field = models.ForeignKey(ReportField, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("question"))
    number = models.DecimalField(_("figure"), max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    text = models.TextField(_("answer"), blank=True)

    same_unit = {"submission": _("The submission belongs to another unit.")}
    unique_error = ("field", _("This question is already answered in the submission."))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["unit_path", "submission", "field__position"]
        constraints = [models.UniqueConstraint(fields=["submission", "field"],
                                               name="unique_submission_answer")]

    def __str__(self) -> str:
        return str(self.field)

    def clean(self) -> None:
        if not (self.submission_id and self.field_id):
            return
        field = self.field
        if field.window_id != self.submission.window_id:
            raise ValidationError({"field": _("This question belongs to another form.")})
        check_open(self.submission.window, self.submission.unit)
        error = answer_error(field, self.number, self.text)
        if error:
            raise ValidationError({"number" if field.kind == FieldKind.NUMBER
                                   else "text": error})


def answer_error(field: ReportField, number, text: str):
    """Why an answer does not fit its question's type, or None."""
    text = (text or "").strip()
    if field.kind == FieldKind.NUMBER:
        if text:
            return _("A number question takes a number, not text.")
        if number is None and field.required:
            return _("Give a number.")
        if number is not None and number < 0:
            return _("The number cannot be negative.")
        return None
    if number is not None:
        return _("Only a number question takes a number.")
    if field.kind == FieldKind.CHOICE and text and text not in field.option_list:
        return _("Choose one of the options: %(options)s.") % {
            "options": "、".join(field.option_list)}
    if field.kind in (FieldKind.TEXT, FieldKind.CHOICE) and field.required and not text:
        return _("Answer this question.")
    return None


def parse_number(raw: str) -> Decimal | None:
    """A typed number (with a decimal point or comma), or None when empty; ValueError
    when it is not a number."""
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise ValueError(raw)
    return value.quantize(Decimal("0.01"))


class WindowReopening(UnitRecord):
    """The authority lets one unit submit after the deadline, until a day."""

    window = models.ForeignKey(ReportingWindow, on_delete=models.CASCADE,
                               related_name="reopenings",
                               verbose_name=_("reporting window"))
    reopened_for = models.ForeignKey("core.Unit", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("for unit"))
    until = models.DateField(_("open until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    same_unit = {"window": _("The reporting window belongs to another unit.")}

    class Meta:
        verbose_name = _("window reopening")
        verbose_name_plural = _("window reopenings")
        ordering = ["unit_path", "-until"]

    def __str__(self) -> str:
        return f"{self.window} · {self.reopened_for}"

    def clean(self) -> None:
        errors = {}
        if self.window_id and self.reopened_for_id:
            path = self.reopened_for.path
            if not path.startswith(self.window.unit_path) or path == self.window.unit_path:
                errors["reopened_for"] = _("Only a unit the window was opened for can be "
                                           "let in again.")
        if self.until and self.until < timezone.localdate():
            errors["until"] = _("Reopen until today or a later day.")
        if errors:
            raise ValidationError(errors)


class WindowReminder(models.Model):
    """A late unit reminded of a window (claimed by its insert: once per unit)."""

    window = models.ForeignKey(ReportingWindow, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("core.Unit", on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["window", "unit"],
                                               name="unique_window_reminder")]

    def __str__(self) -> str:
        return f"{self.window_id} · {self.unit_id}"
