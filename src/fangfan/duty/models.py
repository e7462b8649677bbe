"""Daily operations of a unit's guards and staff: the duty roster (OPS-1: posts and
shifts, 24-hour coverage, the leader on duty), the shift handover log (OPS-3) and the
police school-guard posts (护学岗, OPS-6) with their sign-ins. Decisions: docs/duty.md."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord
from fangfan.resources.models import Certificate, CertificateKind, Location, Person

# A shift is at most a day long (a 24-hour duty, 24小时值班, is the longest there is).
MAX_SHIFT = dt.timedelta(hours=24)


class PostKind(models.TextChoices):
    GATE = "gate", _("Fixed gate post")  # 门岗
    PATROL = "patrol", _("Patrol")  # 巡逻岗
    MONITORING = "monitoring", _("Monitoring room")  # 监控室值守
    STANDBY = "standby", _("Standby")  # 备勤
    TEACHER_ARRIVAL = "teacher_arrival", _("Teacher gate duty at arrival")  # 上学护导
    TEACHER_DISMISSAL = "teacher_dismissal", _("Teacher gate duty at dismissal")  # 放学护导
    LEADER = "leader", _("Leader on duty")  # 带班领导


# Posts staffed by security guards: a guard with a valid licence (保安员证) only.
GUARD_KINDS = {PostKind.GATE, PostKind.PATROL, PostKind.MONITORING, PostKind.STANDBY}
# Posts that are held around the clock unless the unit says otherwise: the gate and the
# monitoring room (seed 004: 24-hour duty at the gate and in the control room).
AROUND_THE_CLOCK_KINDS = {PostKind.GATE, PostKind.MONITORING}


class Coverage(models.TextChoices):
    BY_KIND = "by_kind", _("As usual for the kind of post")
    ALWAYS = "always", _("Around the clock (24 hours)")
    SHIFTS = "shifts", _("Only the shifts set")


class Post(UnitRecord):
    """A duty post of the unit (岗位): the gate, a patrol, the monitoring room, the
    teachers' gate duty at arrival or dismissal, the leader on duty."""

    same_unit = {"location": _("The location belongs to another unit.")}
    number_limits = {"people_per_shift": 50}

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=PostKind.choices)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="duty_posts", verbose_name=_("location"))
    coverage = models.CharField(
        _("coverage"), max_length=16, choices=Coverage.choices, default=Coverage.BY_KIND,
        help_text=_("Gate posts and the monitoring room are held around the clock unless "
                    "set otherwise."))
    people_per_shift = models.PositiveSmallIntegerField(
        _("people per shift"), default=1, validators=[MinValueValidator(1)])
    notes = models.TextField(_("notes"), blank=True)

    unique_error = ("name", _("This unit already has a post with this name."))

    class Meta:
        verbose_name = _("duty post")
        verbose_name_plural = _("duty posts")
        ordering = ["unit_path", "name"]
        indexes = [models.Index(fields=["unit_path", "name"])]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="unique_duty_post_name_per_unit")]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_24h(self) -> bool:
        if self.coverage == Coverage.BY_KIND:
            return self.kind in AROUND_THE_CLOCK_KINDS
        return self.coverage == Coverage.ALWAYS

    @property
    def for_guards(self) -> bool:
        return self.kind in GUARD_KINDS


def valid_guard_licence(person: Person, start: dt.date, end: dt.date) -> bool:
    """Does the person hold a guard licence (保安员证) valid on every day from start to
    end (issued by then, not expired before)?"""
    return Certificate.objects.filter(
        person=person, kind=CertificateKind.GUARD_LICENCE, issued_on__lte=start).filter(
        models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=end)).exists()


def _moment(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


class Shift(UnitRecord):
    """A person on duty at a post from one moment to another (排班)."""

    same_unit = {"post": _("The post belongs to another unit."),
                 "person": _("The person belongs to another unit.")}

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="shifts",
                             verbose_name=_("duty post"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="shifts",
                               verbose_name=_("person"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["unit_path", "starts_at"]
        indexes = [models.Index(fields=["unit_path", "starts_at"]),
                   models.Index(fields=["person", "starts_at"]),
                   models.Index(fields=["post", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.post} · {_moment(self.starts_at)}"

    def clean(self) -> None:
        if not (self.starts_at and self.ends_at):
            return
        if self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A shift ends after it starts.")})
        if self.ends_at - self.starts_at > MAX_SHIFT:
            raise ValidationError({"ends_at": _("A shift lasts at most 24 hours.")})
        if not (self.post_id and self.person_id):
            return
        self._check_overlap()
        self._check_guard()

    def _check_overlap(self) -> None:
        """Nobody is in two places at once: no other shift of the person overlaps."""
        other = (Shift.objects.filter(person_id=self.person_id, starts_at__lt=self.ends_at,
                                      ends_at__gt=self.starts_at)
                 .exclude(pk=self.pk).select_related("post").order_by("starts_at").first())
        if other is not None:
            raise ValidationError({"starts_at": _(
                "%(person)s is already on duty at %(post)s from %(start)s to %(end)s.") % {
                "person": self.person, "post": other.post, "start": _moment(other.starts_at),
                "end": _moment(other.ends_at)}})

    def _check_guard(self) -> None:
        """A guard post is staffed by a guard holding a valid licence on the shift's days
        (Regulation on the Administration of Security Services, Art. 16)."""
        if not self.post.for_guards:
            return
        if not self.person.is_guard:
            raise ValidationError({"person": _(
                "%(post)s is a guard post: %(person)s is not recorded as a guard.") % {
                "post": self.post, "person": self.person}})
        start = timezone.localdate(self.starts_at)
        end = timezone.localdate(self.ends_at)
        if not valid_guard_licence(self.person, start, end):
            raise ValidationError({"person": _(
                "%(person)s holds no valid guard licence on %(date)s: record the licence "
                "first.") % {"person": self.person,
                                    "date": formats.date_format(start, "SHORT_DATE_FORMAT")}})


# A handover is recorded when it happens: a clock a few minutes fast is not a mistake.
HANDOVER_CLOCK_SLACK = dt.timedelta(minutes=5)


class Handover(UnitRecord):
    """A shift handover (交接班记录): who handed over to whom, when, and what was said.
    Items still open from earlier handovers of the same post (or of the unit, for a
    handover of no post) are shown on it until someone closes them (`carried_items`)."""

    same_unit = {"post": _("The post belongs to another unit."),
                 "from_person": _("The person belongs to another unit."),
                 "to_person": _("The person belongs to another unit.")}

    post = models.ForeignKey(Post, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="handovers", verbose_name=_("duty post"))
    from_person = models.ForeignKey(Person, on_delete=models.PROTECT,
                                    related_name="handovers_given",
                                    verbose_name=_("handed over by"))
    to_person = models.ForeignKey(Person, on_delete=models.PROTECT,
                                  related_name="handovers_taken",
                                  verbose_name=_("taken over by"))
    handed_over_at = models.DateTimeField(_("handed over at"), default=timezone.now)
    notes = models.TextField(_("notes"), blank=True,
                             help_text=_("What happened on the shift and what to watch."))

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["unit_path", "-handed_over_at"]
        indexes = [models.Index(fields=["unit_path", "handed_over_at"]),
                   models.Index(fields=["unit", "post", "handed_over_at"])]

    def __str__(self) -> str:
        """By its time alone: lists of its items name it without reading its people."""
        return _("Handover of %(at)s") % {"at": _moment(self.handed_over_at)}

    def clean(self) -> None:
        errors = {}
        if self.from_person_id and self.from_person_id == self.to_person_id:
            errors["to_person"] = _("A shift is handed over to someone else.")
        if self.handed_over_at and self.handed_over_at > timezone.now() + HANDOVER_CLOCK_SLACK:
            errors["handed_over_at"] = _("A handover is recorded when it happens, not "
                                         "ahead of time.")
        if errors:
            raise ValidationError(errors)

    def carried_items(self) -> models.QuerySet[HandoverItem]:
        """Items of earlier handovers of the same post (or of the unit's handovers of no
        post) still open when this one took place: carried over, not copied."""
        return (HandoverItem.objects.filter(
            handover__unit_id=self.unit_id, handover__post_id=self.post_id,
            handover__handed_over_at__lt=self.handed_over_at)
            .filter(models.Q(closed_at__isnull=True)
                    | models.Q(closed_at__gt=self.handed_over_at))
            .select_related("handover", "handover__from_person").order_by(
                "handover__handed_over_at", "pk"))


class HandoverItem(UnitRecord):
    """An open matter handed over (遗留问题): it stays on every later handover of the post
    until someone closes it with a note."""

    same_unit = {"handover": _("The handover belongs to another unit.")}

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items",
                                 verbose_name=_("handover"))
    text = models.CharField(_("matter"), max_length=300)
    closed_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    closed_note = models.CharField(_("how it was closed"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")
        ordering = ["unit_path", "handover", "pk"]
        indexes = [models.Index(fields=["unit_path", "handover"])]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.closed_at and not self.closed_note.strip():
            raise ValidationError({"closed_note": _("Say how the matter was closed.")})
        if self.closed_note and not self.closed_at:
            raise ValidationError({"closed_at": _("Give the time the matter was closed.")})
        if self.closed_at and self.handover_id and self.closed_at < \
                self.handover.handed_over_at:
            raise ValidationError({"closed_at": _(
                "A matter is closed after it was handed over.")})
        if self.closed_at and self.closed_at > timezone.now() + HANDOVER_CLOCK_SLACK:
            raise ValidationError({"closed_at": _("This time lies in the future.")})


class Session(models.TextChoices):
    ARRIVAL = "arrival", _("Arrival")  # 上学
    DISMISSAL = "dismissal", _("Dismissal")  # 放学


class SchoolGuardPost(UnitRecord):
    """A police school-guard post (护学岗) at the school's gate, defined by the police
    side and its authority (seed 004: fixed place, time, duty and person): the school
    signs in, it does not set the post (records.py: roles and decided_above)."""

    place = models.CharField(_("place"), max_length=200,
                             help_text=_("e.g. outside the south gate, at the crossing"))
    arrival_from = models.TimeField(_("arrival from"), default=dt.time(7, 0))
    arrival_until = models.TimeField(_("arrival until"), default=dt.time(8, 0))
    dismissal_from = models.TimeField(_("dismissal from"), default=dt.time(16, 0))
    dismissal_until = models.TimeField(_("dismissal until"), default=dt.time(17, 0))
    duty = models.TextField(_("duty"), help_text=_(
        "What the post does, e.g. keeps the crossing clear and watches for suspicious "
        "people and vehicles."))
    officer_name = models.CharField(_("officer"), max_length=100)
    officer_phone = models.CharField(_("officer phone"), max_length=32, blank=True)
    police_station = models.CharField(_("police station"), max_length=100, blank=True)
    active_from = models.DateField(_("active from"))
    active_until = models.DateField(_("active until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("school-guard post")
        verbose_name_plural = _("school-guard posts")
        ordering = ["unit_path", "place"]
        indexes = [models.Index(fields=["unit_path", "place"])]

    def __str__(self) -> str:
        return self.place

    def clean(self) -> None:
        errors = {}
        if self.arrival_from and self.arrival_until and self.arrival_until <= \
                self.arrival_from:
            errors["arrival_until"] = _("The arrival watch ends after it starts.")
        if self.dismissal_from and self.dismissal_until and self.dismissal_until <= \
                self.dismissal_from:
            errors["dismissal_until"] = _("The dismissal watch ends after it starts.")
        if self.arrival_until and self.dismissal_from and self.dismissal_from < \
                self.arrival_until:
            errors["dismissal_from"] = _("Dismissal comes after arrival.")
        if self.active_from and self.active_until and self.active_until < self.active_from:
            errors["active_until"] = _("A post ends on or after the day it starts.")
        if errors:
            raise ValidationError(errors)

    def active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_until is None
                                            or day <= self.active_until)

    def window(self, session: str) -> tuple[dt.time, dt.time]:
        if session == Session.ARRIVAL:
            return self.arrival_from, self.arrival_until
        return self.dismissal_from, self.dismissal_until

    def session_at(self, moment: dt.datetime) -> str:
        """The session a sign-in at `moment` is for: arrival until the middle of the day
        between the two watches, dismissal after."""
        local = timezone.localtime(moment).time()
        noon = dt.datetime.combine(dt.date.min, self.arrival_until) + (
            dt.datetime.combine(dt.date.min, self.dismissal_from)
            - dt.datetime.combine(dt.date.min, self.arrival_until)) / 2
        return Session.ARRIVAL if local < noon.time() else Session.DISMISSAL


class SchoolGuardSignIn(UnitRecord):
    """A sign-in at a 护学岗 for one session of one day (twice a school day, seed 003),
    by the officer or the school's guard, in one tap on a phone."""

    same_unit = {"post": _("The post belongs to another unit.")}

    post = models.ForeignKey(SchoolGuardPost, on_delete=models.PROTECT,
                             related_name="sign_ins", verbose_name=_("school-guard post"))
    date = models.DateField(_("date"), default=timezone.localdate)
    session = models.CharField(_("session"), max_length=16, choices=Session.choices)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, editable=False, related_name="+",
                           verbose_name=_("signed in by"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    unique_error = ("session", _("This session of the day is already signed in."))

    class Meta:
        verbose_name = _("school-guard sign-in")
        verbose_name_plural = _("school-guard sign-ins")
        ordering = ["unit_path", "-date", "session"]
        indexes = [models.Index(fields=["unit_path", "date"]),
                   models.Index(fields=["post", "date"])]
        constraints = [models.UniqueConstraint(fields=["post", "date", "session"],
                                               name="unique_school_guard_sign_in")]

    def __str__(self) -> str:
        return f"{self.date} · {self.get_session_display()}"

    def clean(self) -> None:
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("A sign-in is made on the day, not ahead.")})
        if self.signed_at and self.signed_at > timezone.now() + HANDOVER_CLOCK_SLACK:
            raise ValidationError({"signed_at": _("This time lies in the future.")})
        if self.post_id and self.date and not self.post.active_on(self.date):
            raise ValidationError({"date": _("The post is not in service on this day.")})
