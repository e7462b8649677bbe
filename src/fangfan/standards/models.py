"""Standards as data (SPEC STD-1…3): packs of requirements, which packs are active in
a subtree, and the computed result per unit × requirement."""
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fangfan.core.models import UnitRecord


class Category(models.TextChoices):
    PEOPLE = "people", _("People-based protection")  # 人防
    PHYSICAL = "physical", _("Physical protection")  # 物防
    TECHNICAL = "technical", _("Technical protection")  # 技防
    RULES = "rules", _("Rules and organisation")  # 制度
    DRILLS = "drills", _("Drills")  # 演练
    TRAINING = "training", _("Training")  # 培训
    INFORMATION = "information", _("Information")  # 信息


class Status(models.TextChoices):
    MET = "met", _("Met")
    UNMET = "unmet", _("Unmet")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    UNKNOWN = "unknown", _("Unknown")


def localized(texts: dict) -> str:
    """Pick the text of the active language from a {"zh-hans": …, "en": …} map."""
    lang = (get_language() or "zh-hans").lower()
    return texts.get(lang) or texts.get("zh-hans") or next(iter(texts.values()), "")


class Pack(models.Model):
    """A versioned standard pack loaded from YAML; rows are upserted by URN."""

    urn = models.CharField(_("URN"), max_length=200, unique=True)
    version = models.PositiveIntegerField(_("version"))
    name = models.JSONField(_("name"))
    document = models.JSONField(_("source document"))
    checksum = models.CharField(_("checksum"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("standard pack")
        verbose_name_plural = _("standard packs")
        ordering = ["urn"]

    def __str__(self) -> str:
        return localized(self.name)


class RequirementQuerySet(models.QuerySet):
    """`short_title=…` matches the title in either language: exports name requirements
    by their short title (record type lookups), and the same file imports again."""

    def _filter_or_exclude(self, negate, args, kwargs):
        if "short_title" in kwargs:
            text = kwargs.pop("short_title")
            args = (*args, models.Q(**{"title__zh-hans": text}) | models.Q(title__en=text))
        return super()._filter_or_exclude(negate, args, kwargs)


class Requirement(models.Model):
    """One machine-checkable requirement with its citation and texts."""

    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, related_name="requirements")
    urn = models.CharField(_("URN"), max_length=250, unique=True)
    ref = models.CharField(_("reference"), max_length=32, blank=True)
    order = models.PositiveIntegerField(default=0)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    citation = models.JSONField(_("citation"))
    title = models.JSONField(_("short title"), default=dict)
    text = models.JSONField(_("text"))
    remedy = models.JSONField(_("how to fix"))
    spec = models.JSONField(_("rule"))
    confidence = models.CharField(_("confidence"), max_length=1, default="H")

    objects = RequirementQuerySet.as_manager()

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["pack__urn", "order"]

    def __str__(self) -> str:
        return self.short_title

    @property
    def short_title(self) -> str:
        """The name users see (e.g. 专职保安员配备), in their language: never the URN or
        rule id; the full text may follow as explanation."""
        return localized(self.title) if self.title else localized(self.text)[:40]


class PackActivation(UnitRecord):
    """An authority activates a pack for its subtree (inherited downward)."""

    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, verbose_name=_("standard pack"))

    class Meta:
        verbose_name = _("pack activation")
        verbose_name_plural = _("pack activations")
        constraints = [models.UniqueConstraint(fields=["unit", "pack"],
                                               name="unique_pack_activation")]

    def __str__(self) -> str:
        return f"{self.pack} @ {self.unit}"


class Result(UnitRecord):
    """The computed status of one requirement for one unit, with what it was based on."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE,
                                    verbose_name=_("requirement"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    required = models.FloatField(_("required"), null=True)
    actual = models.FloatField(_("actual"), null=True)
    governing = models.BooleanField(_("governing"), default=False)
    reason = models.CharField(_("unknown facts"), max_length=300, blank=True)
    facts = models.JSONField(_("facts used"), default=dict, blank=True)
    pack_version = models.PositiveIntegerField(_("pack version"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("compliance result")
        verbose_name_plural = _("compliance results")
        constraints = [models.UniqueConstraint(fields=["unit", "requirement"],
                                               name="unique_result")]
        indexes = [models.Index(fields=["unit_path", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.requirement.short_title}: {self.get_status_display()}"

    @property
    def missing_facts(self) -> list[str]:
        """The unknown facts that made it unknown (`standards.reasons` words them)."""
        return [f for f in self.reason.split(",") if f]


class SchoolTerm(UnitRecord):
    """A semester of a school year. Defined by an authority for its region; a unit may
    override with its own terms (the nearest definition up the tree wins)."""

    school_year = models.PositiveIntegerField(_("school year"),
                                              help_text=_("The year the school year starts."))
    number = models.PositiveSmallIntegerField(_("semester"), choices=[(1, _("First")),
                                                                      (2, _("Second"))])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("school term")
        verbose_name_plural = _("school terms")
        ordering = ["unit_path", "starts_on"]
        constraints = [models.UniqueConstraint(fields=["unit", "school_year", "number"],
                                               name="unique_school_term")]

    def __str__(self) -> str:
        return _("%(start)s–%(end)s school year, semester %(n)s") % {
            "start": self.school_year, "end": self.school_year + 1, "n": self.number}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("A term ends after it starts.")})


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")  # 法定节假日 and other days off within a term
    SCHOOL_DAY = "school_day", _("Make-up school day")  # 调休: a weekend day of school


class CalendarDay(UnitRecord):
    """A day that breaks the Monday-to-Friday rule of a school week: a public holiday
    within a term (国庆), or a weekend day worked in its place (调休). Defined by an
    authority for its subtree or by a unit; for one date the nearest definition up the
    tree wins (`standards.schooldays`)."""

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=100,
                            help_text=_("The holiday, e.g. National Day."))

    unique_error = ("date", _("This unit already has an entry for this date."))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["unit_path", "date"]
        indexes = [models.Index(fields=["unit_path", "date"]),
                   models.Index(fields=["date"])]
        constraints = [models.UniqueConstraint(fields=["unit", "date"],
                                               name="unique_calendar_day")]

    def __str__(self) -> str:
        return f"{self.date.isoformat() if self.date else ''} {self.name}".strip()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (self.kind == CalendarDayKind.SCHOOL_DAY and self.date
                and self.date.weekday() < 5):
            raise ValidationError({"date": _(
                "A make-up school day is a Saturday or a Sunday: Monday to Friday are "
                "school days already.")})


class ObligationStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")


class Obligation(UnitRecord):
    """One occurrence of a periodic requirement for a unit (STD-4): the period it covers,
    when it is due, and what fulfilled it."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE,
                                    verbose_name=_("requirement"))
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=16, choices=ObligationStatus.choices,
                              default=ObligationStatus.UPCOMING)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True,
                            help_text=_("What was done; attach the evidence to this record."))
    fulfilled_by_type = models.CharField(max_length=100, blank=True, editable=False)
    fulfilled_by_id = models.CharField(max_length=64, blank=True, editable=False)
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_on", "unit_path"]
        constraints = [models.UniqueConstraint(fields=["unit", "requirement", "period_start"],
                                               name="unique_obligation")]
        indexes = [models.Index(fields=["unit_path", "due_on"]),
                   models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.requirement.short_title} · {self.due_on}"

    @property
    def fulfilled_by_url(self) -> str:
        """The page of the record that fulfilled it (an inspection, a drill), if any."""
        return self.fulfilled_by_url_for(None)

    def fulfilled_by_url_for(self, user) -> str:
        """`fulfilled_by_url` if `user` may open that record (None: no check): a
        weekly contact of the persons-of-concern ledger fulfils an obligation that
        readers without the ledger's grant see on the calendar, without its link."""
        if not (self.fulfilled_by_type and self.fulfilled_by_id):
            return ""
        if user is not None:
            from fangfan.core import permissions, registry

            rt = registry.record_types_by_slug().get(self.fulfilled_by_type)
            if rt is None or not permissions.allowed(user, "view", rt, self.unit_path):
                return ""
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(f"records:{self.fulfilled_by_type}-detail",
                           args=[self.fulfilled_by_id])
        except NoReverseMatch:  # a record type no longer kept
            return ""

    def status_on(self, today) -> str:
        if self.done_on:
            return ObligationStatus.DONE
        if today > self.due_on:
            return ObligationStatus.OVERDUE
        if today >= self.period_start:
            return ObligationStatus.DUE
        return ObligationStatus.UPCOMING

    def clean(self) -> None:
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        if self.done_on and self.done_on > timezone.localdate():
            raise ValidationError({"done_on": _("The date it was done cannot be in the future.")})
        if self.done_on and not self.note.strip():
            raise ValidationError({"note": _("Say what was done.")})
        self.status = self.status_on(timezone.localdate())


class ComplianceSnapshot(UnitRecord):
    """Daily figures of an authority's subtree for trend charts (STD-6): dashboards read
    these instead of raw results."""

    day = models.DateField(_("day"))
    category = models.CharField(_("category"), max_length=16, blank=True,
                                help_text=_("Empty for all categories together."))
    met = models.PositiveIntegerField(default=0)
    unmet = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compliance snapshot")
        verbose_name_plural = _("compliance snapshots")
        constraints = [models.UniqueConstraint(fields=["unit", "day", "category"],
                                               name="unique_snapshot")]

    def __str__(self) -> str:
        return f"{self.unit} {self.day} {self.category or '*'}"

    @property
    def rate(self) -> float | None:
        total = self.met + self.unmet + self.unknown
        return round(100 * self.met / total, 1) if total else None


class Evaluation(models.Model):
    """When a unit was last evaluated, with a digest of its inputs and one of its results:
    a re-evaluation whose inputs did not change writes nothing, one whose results did not
    change writes only this row, so the nightly run over a province stays cheap, while
    each result's own `computed_at` says since when it has held."""

    unit = models.OneToOneField("core.Unit", on_delete=models.CASCADE, primary_key=True,
                                related_name="evaluation", verbose_name=_("unit"))
    digest = models.CharField(max_length=32)
    computed_at = models.DateTimeField(_("evaluated at"))
    # As counted in the tallies, so that a unit's move to another stage is subtracted
    # where it was added.
    stage = models.CharField(max_length=16, blank=True)
    locale = models.CharField(max_length=16, blank=True)
    # The unit's results by status, so that an authority's gap matrix ranks thousands of
    # units from one row each instead of grouping their results.
    met = models.PositiveIntegerField(default=0)
    unmet = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)
    # The facts of its families that read no clock, as JSON, when the evaluation read
    # them (`engine`: the nightly run reuses them instead of reading every record of a
    # province again). `kept_signature` names the families' queries they came from:
    # another query (a new release, another set of packs) makes them stale.
    kept = models.TextField(null=True, blank=True)
    # db_default: a server of the release before, still running while this one migrates,
    # inserts evaluations without it
    kept_signature = models.CharField(max_length=32, blank=True, default="", db_default="")
    # Of the unit's results as stored (`engine`): a re-evaluation whose inputs changed but
    # whose results did not (a new release, a pack's new checksum: every unit of a
    # province) neither reads nor writes them. Empty: not known, they are read.
    results_digest = models.CharField(max_length=32, blank=True, default="",
                                      db_default="")

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.unit_id} @ {self.computed_at:%Y-%m-%d %H:%M}"


class PendingEvaluation(models.Model):
    """A unit whose records changed and whose re-evaluation is queued (`pending`): one
    per unit, so that a burst of writes costs one re-evaluation. Internal: no page."""

    unit_path = models.CharField(max_length=255, unique=True)
    marked_at = models.FloatField()  # seconds since the epoch, of the write that marked it

    def __str__(self) -> str:
        return self.unit_path


class Tally(models.Model):
    """How many results under an authority (its own and its whole subtree's) have a status,
    per requirement (`key` = its id) or per "four 100%" target (`key` = four:…), school
    stage and locale. Kept by the engine as results change, so an authority's overview
    reads a few hundred rows instead of a province's million results."""

    unit = models.ForeignKey("core.Unit", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, db_index=True)
    key = models.CharField(max_length=32)
    stage = models.CharField(max_length=16, blank=True)
    locale = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["unit", "key", "stage", "locale", "status"], name="unique_tally")]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.key} {self.stage}/{self.locale} {self.status}: {self.n}"
