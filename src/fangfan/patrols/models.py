"""Patrols (SPEC OPS-2): a unit's patrol routes of checkpoints at its locations, each
checkpoint with a printed QR code; the rounds of a route at its times of day; the scans a
guard makes from a phone; missed and late checkpoints found by the worker.

A round's window is its due time ± the route's tolerance: a scan in it is on time, a scan
up to one more tolerance after it is late, and then the round ends: the worker closes it
and counts the checkpoints not scanned as missed (docs/patrols.md)."""
from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.core.prepared import first, related
from fangfan.resources.models import Location, Person

# Code alphabet: no 0/O, 1/I/L, so a code read aloud or typed from a worn card is not
# mistaken; 10 characters are 50 bits, not guessed.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
# Two scans of the same checkpoint closer than this are one tap twice.
DUPLICATE_WINDOW = dt.timedelta(minutes=1)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """A code as typed or read from the QR: case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-]", "", typed or "").upper()


def parse_times(text: str) -> list[dt.time]:
    """The times of day of a route ("08:00, 12:30 16:00"), sorted; ValueError naming the
    first that cannot be read."""
    out = []
    for part in re.split(r"[,，;；、\s]+", (text or "").strip()):
        if not part:
            continue
        match = _TIME.match(part)
        if not match:
            raise ValueError(part)
        out.append(dt.time(int(match.group(1)), int(match.group(2))))
    return sorted(set(out))


class PatrolRoute(UnitRecord):
    """A route of checkpoints walked at fixed times of day (e.g. the key locations at
    07:00, 10:00, 13:00, 16:00 and 21:00 for GB/T 29315-2022's five patrols a day)."""

    name = models.CharField(_("name"), max_length=100)
    times = models.CharField(
        _("times of day"), max_length=200,
        help_text=_("When a round starts, e.g. 07:00, 10:00, 13:00, 16:00, 21:00."))
    tolerance_minutes = models.PositiveSmallIntegerField(
        _("tolerance (minutes)"), default=30,
        validators=[MinValueValidator(5), MaxValueValidator(180)],
        help_text=_("A checkpoint scanned this long before or after the round's time is on "
                    "time; up to as long again after, late; later, the round has ended."))
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    unique_error = ("name", _("This unit already has a patrol route of this name."))
    number_limits = {"tolerance_minutes": 180}

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["unit_path", "name"]
        indexes = [models.Index(fields=["unit_path", "name"])]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="unique_patrol_route_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            times = parse_times(self.times)
        except ValueError as exc:
            raise ValidationError({"times": _(
                "“%(value)s” is not a time of day: write times as 07:00, 13:30.") % {
                "value": exc.args[0]}}) from None
        if not times:
            raise ValidationError({"times": _("Give at least one time of day.")})
        self.times = ", ".join(f"{t:%H:%M}" for t in times)
        tol = self.tolerance_minutes or 0
        minutes = [t.hour * 60 + t.minute for t in times]
        gaps = [b - a for a, b in zip(minutes, minutes[1:] + [minutes[0] + 24 * 60],
                                      strict=True)]
        if len(minutes) > 1 and min(gaps) < 2 * tol:
            raise ValidationError({"times": _(
                "Rounds at least twice the tolerance apart (%(n)s minutes), so that one "
                "round has ended before the next begins.") % {"n": 2 * tol}})

    def time_list(self) -> list[dt.time]:
        try:
            return parse_times(self.times)
        except ValueError:
            return []

    @property
    def tolerance(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.tolerance_minutes)

    def due_times(self, day: dt.date) -> list[dt.datetime]:
        """The route's round times on a day, in the local time zone."""
        return [timezone.make_aware(dt.datetime.combine(day, t)) for t in self.time_list()]


class Checkpoint(UnitRecord):
    """A place on a route, in order, with the code printed on its QR card."""

    same_unit = {"route": _("The route belongs to another unit."),
                 "location": _("The location belongs to another unit.")}

    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE,
                              related_name="checkpoints", verbose_name=_("route"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    order = models.PositiveSmallIntegerField(_("order"), default=1,
                                             validators=[MinValueValidator(1)])
    tag = models.CharField(_("code"), max_length=16, unique=True, default=new_code,
                            editable=False)

    unique_error = ("location", _("This location is already a checkpoint of the route."))
    number_limits = {"order": 999}

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["route", "order", "pk"]
        indexes = [models.Index(fields=["unit_path", "route"])]
        constraints = [models.UniqueConstraint(fields=["route", "location"],
                                               name="one_checkpoint_per_location")]

    def __str__(self) -> str:
        return f"{self.order}. {self.location}"

    @property
    def code_display(self) -> str:
        """The code in two groups of five, easier to type."""
        return f"{self.tag[:5]}-{self.tag[5:]}"


class RoundStatus(models.TextChoices):
    DUE = "due", _("Not started")  # 未开始
    WALKING = "walking", _("In progress")  # 巡查中
    FINISHED = "finished", _("Finished")  # 已结束


class PatrolRound(UnitRecord):
    """One round of a route at its due time: started by a guard from the phone (or made
    by the worker when nobody started it), ended by the guard, by its last checkpoint or
    by the worker when its window has passed, which then counts the missed and late
    checkpoints once."""

    same_unit = {"route": _("The route belongs to another unit.")}

    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="rounds",
                              verbose_name=_("route"))
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=8, choices=RoundStatus.choices,
                              default=RoundStatus.DUE, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    started_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                   editable=False, related_name="+",
                                   verbose_name=_("patrolled by"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True,
                                       editable=False)
    # Set once by the worker (claim-then-act): the round's result is counted.
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True, editable=False)
    missed = models.PositiveSmallIntegerField(_("missed checkpoints"), default=0,
                                              editable=False)
    late = models.PositiveSmallIntegerField(_("late checkpoints"), default=0, editable=False)
    review = models.TextField(_("follow-up"), blank=True, help_text=_(
        "What was done about the missed or late checkpoints."))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, editable=False, related_name="+",
                                    verbose_name=_("followed up by"))

    unique_error = ("due_at", _("The route already has a round at this time."))

    class Meta:
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")
        ordering = ["unit_path", "-due_at"]
        indexes = [models.Index(fields=["unit_path", "due_at"]),
                   models.Index(fields=["checked_at", "due_at"])]
        constraints = [models.UniqueConstraint(fields=["route", "due_at"],
                                               name="one_round_per_route_time")]

    def __str__(self) -> str:
        return f"{self.route} · {timezone.localtime(self.due_at):%m-%d %H:%M}"

    @property
    def tolerance(self) -> dt.timedelta:
        return related(self, "route").tolerance

    @property
    def opens_at(self) -> dt.datetime:
        return self.due_at - self.tolerance

    @property
    def late_after(self) -> dt.datetime:
        return self.due_at + self.tolerance

    @property
    def ends_at(self) -> dt.datetime:
        """After this the round takes no scan and the worker counts it."""
        return self.due_at + 2 * self.tolerance

    @property
    def is_finished(self) -> bool:
        return self.status == RoundStatus.FINISHED

    def clean(self) -> None:
        if self.review.strip() and not self.checked_at and self.pk:
            raise ValidationError({"review": _(
                "The round is followed up once it has ended and been counted.")})


class PatrolScan(UnitRecord):
    """A checkpoint scanned in a round: when, by whom, a note and photos."""

    same_unit = {"round": _("The round belongs to another unit."),
                 "checkpoint": _("This checkpoint belongs to another unit.")}

    round = models.ForeignKey(PatrolRound, on_delete=models.CASCADE, related_name="scans",
                              verbose_name=_("round"))
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE,
                                   related_name="scans", verbose_name=_("checkpoint"))
    # The checkpoint's location when scanned: lists and the key-area count read it
    # without going through the checkpoint.
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True,
                                 editable=False, related_name="+",
                                 verbose_name=_("location"))
    scanned_at = models.DateTimeField(_("scanned at"), default=timezone.now)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("patrolled by"))
    note = models.CharField(_("note"), max_length=500, blank=True,
                            help_text=_("Anything found at the checkpoint."))
    late = models.BooleanField(_("late"), default=False, editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, editable=False, related_name="+",
                           verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("checkpoint scan")
        verbose_name_plural = _("checkpoint scans")
        ordering = ["unit_path", "-scanned_at"]
        indexes = [models.Index(fields=["unit_path", "scanned_at"])]
        constraints = [models.UniqueConstraint(fields=["round", "checkpoint"],
                                               name="one_scan_per_checkpoint_round")]

    def __str__(self) -> str:
        return f"{related(self, 'location')} · {timezone.localtime(self.scanned_at):%H:%M}"

    def clean(self) -> None:
        self._pair_checked = False
        if "checkpoint" in self.same_unit_errors():
            return
        if not (self.round_id and self.checkpoint_id and self.scanned_at):
            return
        errors = {}
        rnd, point = self.round, self.checkpoint
        self.location_id = point.location_id
        if point.route_id != rnd.route_id:
            errors["checkpoint"] = _(
                "This checkpoint is on the route “%(other)s”, not on “%(route)s”.") % {
                "other": point.route, "route": rnd.route}
        elif self.scanned_at > timezone.now() + dt.timedelta(minutes=1):
            errors["scanned_at"] = _("This time has not come yet.")
        elif self.pk is None:
            errors.update(self._round_refusals(rnd, point))
        if errors:
            raise ValidationError(errors)
        self.late = self.scanned_at > rnd.late_after

    def validate_constraints(self, exclude=None) -> None:
        """A new scan's round and checkpoint were looked up by clean() (its refusal names
        the earlier scan's time): not asked of the database a second time inside the
        write (issue 10's scan benchmark); the constraint still holds in the table."""
        if getattr(self, "_pair_checked", False):
            exclude = {*(exclude or ()), "round"}
        super().validate_constraints(exclude)

    def same_unit_errors(self) -> set[str]:
        return {name for name in self.same_unit
                if getattr(self, f"{name}_id") and self.unit_id
                and getattr(self, name).unit_id != self.unit_id}

    def _round_refusals(self, rnd: PatrolRound, point: Checkpoint) -> dict:
        if rnd.is_finished or self.scanned_at > rnd.ends_at:
            return {"round": _("This round has ended: start the next round to scan "
                               "again.")}
        if self.scanned_at < rnd.opens_at:
            return {"round": _("This round begins at %(time)s.") % {
                "time": f"{timezone.localtime(rnd.opens_at):%H:%M}"}}
        earlier = first(PatrolScan, Q(round_id=rnd.pk, checkpoint_id=point.pk))
        self._pair_checked = True
        if earlier is None:
            return {}
        if abs(self.scanned_at - earlier.scanned_at) < DUPLICATE_WINDOW:
            return {"checkpoint": _("Already scanned a moment ago: it is recorded once.")}
        return {"checkpoint": _("This checkpoint was already scanned in this round at "
                                "%(time)s.") % {
            "time": f"{timezone.localtime(earlier.scanned_at):%H:%M}"}}
