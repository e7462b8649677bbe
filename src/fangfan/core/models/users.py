"""Users and the roles they hold on units (SPEC §0)."""
import unicodedata

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    PRINCIPAL = "principal", _("Principal")
    GUARD = "guard", _("Guard")
    STAFF = "staff", _("Staff")
    AUDITOR = "auditor", _("Auditor")


def _allowed_in_username(ch: str) -> bool:
    return (ch.isascii() and (ch.isalnum() or ch in "._-@")) or (
        unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH"))


def validate_username(value: str) -> None:
    """ASCII letters and digits, `. _ - @`, and Chinese characters (staff often sign in
    with their name). Nothing else: no spaces, no invisible or control characters, no
    full-width or Cyrillic/Greek letters that look like Latin ones, so no two names that
    look the same can both exist."""
    if not value or not all(_allowed_in_username(ch) for ch in value):
        raise ValidationError(
            _("A user name may contain only letters a–z, digits, Chinese characters and "
              ". _ - @, with no spaces."), code="invalid")


class User(AbstractUser):
    """A person who logs in. What they may see comes only from their role grants."""

    username = models.CharField(
        _("username"), max_length=150, unique=True, validators=[validate_username],
        error_messages={"unique": _("A user with that username already exists.")})
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs) -> None:
        """A new password (set_password by any path: the accounts page, the
        changepassword command, a reset) revokes every API token of the user; sessions
        end through Django's session hash of the password."""
        changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if changed:
            from fangfan.core.authentication import revoke_tokens

            revoke_tokens(self)

    def get_full_name(self) -> str:
        """Chinese names read family name first, without a space (张红梅)."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return super().get_full_name()

    def __str__(self) -> str:
        """As pages name a person (who took a step, who verified): the name, else the
        user name."""
        return self.get_full_name() or self.username


class RoleGrant(models.Model):
    """A role held on a unit; it covers the unit's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants",
                             verbose_name=_("user"))
    unit = models.ForeignKey("core.Unit", on_delete=models.CASCADE, related_name="grants",
                             verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_role_grant")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


@receiver(user_logged_in)
def _stamp_session(sender, request, user, **kwargs) -> None:
    from fangfan.core import twofactor
    from fangfan.core.middleware import SessionTimeoutMiddleware

    if request is not None:
        SessionTimeoutMiddleware.start(request)
        twofactor.mark_session(request, user)
