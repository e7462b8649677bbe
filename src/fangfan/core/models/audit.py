"""The tamper-evident audit log (SPEC X-2): one hash chain per top-level unit."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    ATTACH = "attach", _("File attached")


class AuditEntry(models.Model):
    """One change to one record. `hash` covers every other field and `prev_hash`, so
    changing, deleting or inserting an entry breaks the chain (core.audit.verify)."""

    chain = models.CharField(_("chain"), max_length=255)
    seq = models.BigIntegerField(_("sequence"))
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL,
                              verbose_name=_("actor"))
    actor_name = models.CharField(_("actor"), max_length=150)
    unit_path = models.CharField(max_length=255, db_index=True)
    record_type = models.CharField(_("record type"), max_length=100)
    record_id = models.CharField(_("record id"), max_length=64)
    record_repr = models.CharField(_("record"), max_length=300)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    before = models.JSONField(_("before"), null=True)
    after = models.JSONField(_("after"), null=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="unique_audit_seq")
        ]
        indexes = [models.Index(fields=["record_type", "record_id"])]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action} {self.record_repr}"

    @property
    def record_type_label(self) -> str:
        """The record type's name in the reader's language (the stored label otherwise)."""
        from fangfan.core.registry import for_label

        rt = for_label(self.record_type)
        return str(rt.model._meta.verbose_name) if rt else self.record_type


class AuditChainHead(models.Model):
    """The last entry of a chain. Locked while appending, so entries stay serial; it
    also lets verify notice a deleted tail."""

    chain = models.CharField(max_length=255, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"
