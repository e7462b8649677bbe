"""Evidence files attached to records, stored by content (SHA-256)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangfan.core.models.records import UnitRecord


class Attachment(UnitRecord):
    """A file attached to a record. The bytes live once under their SHA-256; the hash
    also enters the audit chain, so a swapped file is detectable."""

    record_type = models.CharField(_("record type"), max_length=100)
    record_id = models.CharField(_("record id"), max_length=64)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL,
                                    verbose_name=_("uploaded by"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["record_type", "record_id"])]

    def __str__(self) -> str:
        return self.filename
