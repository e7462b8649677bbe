"""Accounts and role grants managed in the browser (SPEC §0): a system administrator
gives any role within their subtree; a unit administrator gives the roles of a unit's own
staff (principal, guard, staff) within theirs. Every change is audited."""
from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangfan.core import audit, permissions, services
from fangfan.core.models import Role, RoleGrant, Unit, User
from fangfan.core.models.audit import AuditAction
from fangfan.core.models.users import validate_username
from fangfan.core.scoping import subtree_q
from fangfan.core.services import OutOfScope


def roles_offered(actor) -> set[str]:
    """Every role the actor may give somewhere (the form's choices)."""
    if actor.is_superuser:
        return set(Role.values)
    return {r for role, _path in permissions.grants(actor)
            for r in permissions.GRANTERS.get(role, [])}


def manager_roots(actor) -> list[str]:
    return [path for role, path in permissions.grants(actor) if role in permissions.GRANTERS]


def may_manage(actor) -> bool:
    return actor.is_authenticated and (actor.is_superuser or bool(manager_roots(actor)))


def units_managed(actor) -> QuerySet[Unit]:
    if actor.is_superuser:
        return Unit.objects.all()
    return Unit.objects.filter(subtree_q("path", manager_roots(actor)))


def grants_managed(actor) -> QuerySet[RoleGrant]:
    qs = RoleGrant.objects.select_related("user", "unit").order_by("unit__path",
                                                                    "user__username")
    return qs if actor.is_superuser else qs.filter(subtree_q("unit_path",
                                                             manager_roots(actor)))


def _user_in_scope(actor, user: User) -> bool:
    """Every role the user holds lies where the actor may give it: only then may the
    actor add roles to them or set their password."""
    held = list(RoleGrant.objects.filter(user=user))
    return bool(held) and all(
        g.role in permissions.grantable_roles(actor, g.unit_path) for g in held)


def _check_new_username(username: str) -> None:
    """The user name rules (validate_username), and no name that differs from an
    existing one only in upper and lower case (Zhang and zhang)."""
    try:
        validate_username(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from exc
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})


@transaction.atomic
def add_account(actor, *, username: str, name: str, password: str, unit: Unit,
                role: str) -> User:
    """A new login with a role, or a further role for a user the actor already manages."""
    services.check_grant(actor, unit.path, role)
    user = User.objects.filter(username=username).first()
    if user is not None:
        if not _user_in_scope(actor, user):
            raise ValidationError({"username": _("This user name is taken.")})
    else:
        _check_new_username(username)
        if not password:
            raise ValidationError({"password": _("A new account needs a password.")})
        try:
            validate_password(password)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user = User.objects.create_user(username, password=password, first_name=name)
        audit.record(actor, user, AuditAction.CREATE, None,
                     {"username": username, "name": name}, unit.path)
    if RoleGrant.objects.filter(user=user, unit=unit, role=role).exists():
        raise ValidationError({"role": _("The user already holds this role here.")})
    services.grant_role(actor, user, unit, role)
    return user


@transaction.atomic
def set_password(actor, user: User, password: str) -> None:
    if not _user_in_scope(actor, user):
        raise OutOfScope(_("You may not change this user's password."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    path = RoleGrant.objects.filter(user=user).values_list("unit_path", flat=True).first()
    audit.record(actor, user, AuditAction.UPDATE, None, {"password": "changed"}, path)
