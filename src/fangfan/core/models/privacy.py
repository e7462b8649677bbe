"""Who may see personal data in full, and every full read (X-3; core.privacy)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataGrant(models.Model):
    """The permission to see personal data in full at a unit and its subtree, given
    explicitly to one user: no role implies it (docs/privacy.md). Given and taken back
    on the accounts page by those who give roles there; both audited."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="personal_data_grants", verbose_name=_("user"))
    unit = models.ForeignKey("core.Unit", on_delete=models.CASCADE,
                             related_name="personal_data_grants", verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("permission to see personal data in full")
        verbose_name_plural = _("permissions to see personal data in full")
        constraints = [models.UniqueConstraint(fields=["user", "unit"],
                                               name="unique_personal_data_grant")]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit}"


class ReadChannel(models.TextChoices):
    PAGE = "page", _("Record page")
    EDIT = "edit", _("Edit form")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    DOCUMENT = "document", _("Generated document")


class PersonalDataRead(models.Model):
    """One full read of a record's personal fields: who, when, which record, which
    fields, from where. Scoped by the record's unit like the audit log."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("read by"))
    user_name = models.CharField(_("read by"), max_length=150)
    unit_path = models.CharField(max_length=255, db_index=True)
    record_type = models.CharField(_("record type"), max_length=100)
    record_id = models.CharField(_("record id"), max_length=64)
    record_repr = models.CharField(_("record"), max_length=300)
    fields = models.JSONField(_("fields"), default=list)
    channel = models.CharField(_("read from"), max_length=8, choices=ReadChannel.choices)

    class Meta:
        verbose_name = _("read of personal data")
        verbose_name_plural = _("reads of personal data")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_name} · {self.record_repr}"
