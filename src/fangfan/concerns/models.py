"""The persons-of-concern ledger (重点人员台账, INF-4; seed 002 §六): entries naming a
person, the concrete behaviour observed and the concrete reason for concern, the liaison
who keeps in touch (ORG-5), the contact log (R-LIAISON: weekly), a review date and the
closure with its reason. Never a protected trait (traits.py).

Only those holding a ledger grant on the unit (LedgerAccess, given by an administrator)
see or write any of it (RecordType.requires_grant); every read is logged (LedgerRead)."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fangfan.concerns.traits import protected_word
from fangfan.core.models import UnitRecord
from fangfan.organisation.models import Liaison
from fangfan.resources.models import Person

# Shown under each text of the ledger: why it has no field for who a person is.
NO_TRAITS = _("Write what the person did and why it is a concern. Never record ethnicity, "
              "religion or belief, health or origin: the ledger is about behaviour, not "
              "about who a person is, and discriminatory practice is forbidden.")


def refuse_traits(obj: models.Model, names: tuple[str, ...]) -> dict[str, str]:
    """Errors for the texts among `names` that name a protected trait."""
    errors = {}
    for name in names:
        word = protected_word(getattr(obj, name))
        if word:
            errors[name] = gettext(
                "“%(word)s” names a protected trait (ethnicity, religion or belief, health "
                "or origin). The ledger records behaviour only: describe what the person "
                "did, not who they are.") % {"word": word}
    return errors


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Open")  # 在册
    CLOSED = "closed", _("Closed")  # 已销号


class ConcernSource(models.TextChoices):
    """How the concern became known."""

    OWN_OBSERVATION = "own_observation", _("Found by the unit itself")  # 本单位发现
    STAFF_REPORT = "staff_report", _("Reported by staff, students or parents")  # 师生家长反映
    POLICE = "police", _("Notified by the police")  # 公安机关通报
    AUTHORITY = "authority", _("Notified by the supervising authority")  # 上级通报
    OTHER = "other", _("Other")


class ConcernEntry(UnitRecord):
    """One person on the unit's ledger. Its text is the record's only content: the
    person is named, not linked to the roster, and no field describes who they are."""

    person_name = models.CharField(_("name of the person"), max_length=50)
    observed = models.TextField(_("observed behaviour"), help_text=NO_TRAITS)
    reason = models.TextField(_("reason for concern"), help_text=NO_TRAITS)
    source = models.CharField(_("source"), max_length=32, choices=ConcernSource.choices)
    opened_on = models.DateField(_("entered on"))
    liaison = models.ForeignKey(Liaison, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="concern_entries", verbose_name=_("liaison"),
                                help_text=_("The unit's liaison who keeps in touch; or "
                                            "name a person of the unit below."))
    liaison_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True,
        related_name="concern_entries", verbose_name=_("person in contact"),
        help_text=_("A person of the unit who keeps in touch, where no liaison does."))
    review_on = models.DateField(_("review by"))
    status = models.CharField(_("status"), max_length=16, choices=ConcernStatus.choices,
                              default=ConcernStatus.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.TextField(_("reason for closing"), blank=True,
                                      help_text=NO_TRAITS)

    same_unit = {"liaison": _("The liaison belongs to another unit."),
                 "liaison_person": _("Only people of the unit can keep in touch.")}

    class Meta:
        verbose_name = _("persons-of-concern entry")
        verbose_name_plural = _("persons-of-concern ledger")
        ordering = ["unit_path", "status", "review_on", "id"]
        indexes = [models.Index(fields=["unit_path", "status", "review_on", "id"],
                                name="concern_entry_order")]

    def __str__(self) -> str:
        # Never the person's name: this text is kept in the audit log and read logs.
        return gettext("Ledger entry No. %(number)s") % {"number": self.pk or "—"}

    @property
    def is_open(self) -> bool:
        return self.status == ConcernStatus.OPEN

    def clean(self) -> None:
        errors = refuse_traits(self, ("person_name", "observed", "reason", "closing_reason"))
        today = timezone.localdate()
        if not self.liaison_id and not self.liaison_person_id:
            errors.setdefault("liaison", _("Name the liaison or the person of the unit who "
                                           "keeps in touch."))
        if self.liaison_id and self.liaison_person_id:
            errors.setdefault("liaison_person", _("Name either the liaison or a person of "
                                                  "the unit, not both."))
        if self.opened_on and self.opened_on > today:
            errors.setdefault("opened_on", _("This date lies in the future."))
        if self.opened_on and self.review_on and self.review_on < self.opened_on:
            errors.setdefault("review_on", _("The review date lies before the entry date."))
        errors.update({k: v for k, v in self._closure_errors(today).items()
                       if k not in errors})
        if errors:
            raise ValidationError(errors)

    def _closure_errors(self, today) -> dict[str, str]:
        """A closed entry has its date and a concrete reason; an open one neither."""
        if self.status == ConcernStatus.CLOSED:
            out = {}
            if not (self.closing_reason or "").strip():
                out["closing_reason"] = _("Give the reason for closing the entry.")
            if not self.closed_on:
                out["closed_on"] = _("Give the date the entry was closed.")
            elif self.closed_on > today:
                out["closed_on"] = _("This date lies in the future.")
            elif self.opened_on and self.closed_on < self.opened_on:
                out["closed_on"] = _("The entry cannot close before it was entered.")
            return out
        out = {}
        if self.closed_on:
            out["closed_on"] = _("An open entry has no closing date: set the status to "
                                 "closed.")
        if (self.closing_reason or "").strip():
            out["closing_reason"] = _("An open entry has no reason for closing: set the "
                                      "status to closed.")
        return out


class ContactMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Talk in person")  # 当面谈话
    PHONE = "phone", _("Phone call")  # 电话联系
    HOME_VISIT = "home_visit", _("Home visit")  # 家访
    DEPARTMENT = "department", _("Through the department or class teacher")  # 通过部门、班主任了解
    OTHER = "other", _("Other")


class ContactLog(UnitRecord):
    """A contact with a person on the ledger (R-LIAISON: at least weekly while open)."""

    entry = models.ForeignKey(ConcernEntry, on_delete=models.CASCADE,
                              related_name="contacts", verbose_name=_("ledger entry"))
    contacted_on = models.DateField(_("contacted on"))
    method = models.CharField(_("how"), max_length=16, choices=ContactMethod.choices)
    contacted_by = models.ForeignKey(Person, on_delete=models.PROTECT,
                                     related_name="concern_contacts",
                                     verbose_name=_("contacted by"))
    note = models.TextField(_("note"), blank=True, help_text=NO_TRAITS)

    same_unit = {"entry": _("The entry belongs to another unit."),
                 "contacted_by": _("Only people of the unit can be recorded as contacting.")}

    class Meta:
        verbose_name = _("contact with a person of concern")
        verbose_name_plural = _("contacts with persons of concern")
        ordering = ["unit_path", "-contacted_on", "-id"]
        indexes = [models.Index(fields=["unit_path", "-contacted_on", "-id"],
                                name="concern_contact_order"),
                   models.Index(fields=["entry", "contacted_on"],
                                name="concern_contact_entry")]

    def __str__(self) -> str:
        return gettext("Contact of %(date)s") % {"date": self.contacted_on}

    def clean(self) -> None:
        errors = refuse_traits(self, ("note",))
        if self.contacted_on and self.contacted_on > timezone.localdate():
            errors.setdefault("contacted_on", _("This date lies in the future."))
        if self.entry_id and self.contacted_on:
            entry = self.entry
            if self.contacted_on < entry.opened_on:
                errors.setdefault("contacted_on", _("The contact lies before the entry was "
                                                    "made."))
            elif entry.closed_on and self.contacted_on > entry.closed_on:
                errors.setdefault("contacted_on", _("The entry was closed before this "
                                                    "date."))
        if errors:
            raise ValidationError(errors)


class LedgerAccess(UnitRecord):
    """The explicit permission to keep and read the unit's ledger (and its subtree's),
    given by an administrator to one account, never implied by a role. Taken back by
    deleting it; both are audited."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="ledger_grants", verbose_name=_("account"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, editable=False,
                                   related_name="ledger_grants_given",
                                   verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True,
                            help_text=_("Why this account needs the ledger, e.g. the "
                                        "unit's liaison."))

    unique_error = ("user", _("This account already holds the ledger permission here."))

    class Meta:
        verbose_name = _("ledger permission")
        verbose_name_plural = _("ledger permissions")
        ordering = ["unit_path", "user"]
        constraints = [models.UniqueConstraint(fields=["unit", "user"],
                                               name="unique_ledger_access")]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit}"

    def clean(self) -> None:
        from fangfan.core.models import RoleGrant

        if self.user_id and self.unit_id and not self.user.is_superuser:
            path = self.unit.path
            paths = RoleGrant.objects.filter(user_id=self.user_id).values_list(
                "unit__path", flat=True)
            if not any(path.startswith(p) or p.startswith(path) for p in paths):
                raise ValidationError({"user": _("This account holds no role in this unit: "
                                                 "give it a role first.")})


class ReadChannel(models.TextChoices):
    LIST = "list", _("List page")
    DETAIL = "detail", _("Record page")
    API = "api", _("API")
    EXPORT = "export", _("Export")


class ReadKind(models.TextChoices):
    ENTRIES = "concern-entries", _("Ledger entries")
    CONTACTS = "concern-contacts", _("Contacts")


class LedgerRead(UnitRecord):
    """One read of the ledger: who saw which records of a unit, when and how. Written by
    the ledger's services on every list, page, API answer and export; never changed.
    Names no person of concern, only the records' numbers."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="ledger_reads", verbose_name=_("read by"))
    read_at = models.DateTimeField(_("read at"), default=timezone.now)
    channel = models.CharField(_("how"), max_length=16, choices=ReadChannel.choices)
    kind = models.CharField(_("records read"), max_length=32, choices=ReadKind.choices)
    record_ids = models.TextField(_("record numbers"))
    count = models.PositiveIntegerField(_("number of records"))

    class Meta:
        verbose_name = _("ledger read")
        verbose_name_plural = _("ledger read log")
        ordering = ["unit_path", "-read_at", "-id"]
        indexes = [models.Index(fields=["unit_path", "-read_at", "-id"],
                                name="ledger_read_order")]

    def __str__(self) -> str:
        return f"{self.reader} · {self.read_at:%Y-%m-%d %H:%M}"
