"""Notifications (SPEC EMG-5): the in-app inbox, each user's choice of channels, the
unit's group robots (WeCom, DingTalk webhooks) and the deliveries that carry a message
out by e-mail or robot, with their status and retries (core.notify sends them)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangfan.core.models.records import UnitRecord


class Notification(models.Model):
    user = models.ForeignKey("core.User", on_delete=models.CASCADE,
                             related_name="notifications", verbose_name=_("user"))
    unit_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A user's choice of channels beyond the inbox (always on). No row: the defaults."""

    user = models.OneToOneField("core.User", on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("user"))
    email = models.BooleanField(_("also by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class SecretField(models.CharField):
    """A secret that is written, never shown back: forms offer an empty password box
    (empty keeps the saved value), the API takes it write-only, the audit log keeps a
    fingerprint instead of the value (core.audit.snapshot)."""

    secret = True

    def formfield(self, **kwargs):
        from django import forms

        field = super().formfield(**kwargs)
        field.widget = forms.PasswordInput(render_value=False,
                                           attrs={"autocomplete": "new-password"})
        return field


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class NotificationChannel(UnitRecord):
    """A group robot of a unit's work group: messages for the unit are posted to it."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=RobotKind.choices)
    url = models.CharField(
        _("webhook address"), max_length=500,
        help_text=_("The robot's address as its group settings show it (https://…)."))
    secret = SecretField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("Only for DingTalk robots signed with a secret (starts with SEC). "
                    "It is not shown again after saving; leave empty to keep the saved one."))
    active = models.BooleanField(_("active"), default=True)

    unique_error = ("name", _("This unit already has a group robot of this name."))

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["unit_path", "name"]
        indexes = [models.Index(fields=["unit_path", "name"])]
        constraints = [models.UniqueConstraint(fields=["unit", "name"],
                                               name="unique_robot_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from fangfan.core import webhooks

        super().clean()
        stored = ""
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list(
                "secret", flat=True).first() or ""
        if self.kind != RobotKind.DINGTALK:
            if self.secret and self.secret != stored:
                raise ValidationError({"secret": _("Only DingTalk robots are signed with a "
                                                   "secret.")})
            self.secret = ""
        elif not self.secret:
            self.secret = stored  # an empty box keeps the saved secret
        if self.url:
            try:
                webhooks.check_url(self.url, resolve_failure_ok=True)
            except webhooks.Refused as exc:
                raise ValidationError({"url": exc.message}) from exc


class DeliveryKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")


class Delivery(models.Model):
    """One message to one address: a user's e-mail (with its notification) or a group
    robot (once per message, whoever else receives it). Never dropped: a failed attempt
    stays queued with its error and the time of the next attempt; after
    `notify.GIVE_UP_AFTER` attempts it stays failed, listed, and can be sent again by hand."""

    kind = models.CharField(_("channel"), max_length=16, choices=DeliveryKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.QUEUED)
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="deliveries",
                                     verbose_name=_("notification"))
    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, null=True,
                                blank=True, related_name="deliveries",
                                verbose_name=_("group robot"))
    address = models.EmailField(_("e-mail address"), blank=True)
    unit_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["channel", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"


__all__ = ["Delivery", "DeliveryKind", "DeliveryStatus", "Notification",
           "NotificationChannel", "NotificationPreference", "RobotKind", "SecretField"]
