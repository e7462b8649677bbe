"""Who may do what (SPEC §0). A role is granted on a unit and covers its subtree.
`restrict` turns a user's grants into one SQL condition; docs/permissions.md is
generated from this module (`fangfan permissions --markdown`) and a test keeps them equal."""
from __future__ import annotations

from django.db.models import Q

from fangfan.core.models import Role, RoleGrant
from fangfan.core.models.units import PATH_SEGMENT_WIDTH
from fangfan.core.prepared import Prepared
from fangfan.core.registry import RecordType
from fangfan.core.scoping import in_subtree, subtree_q

ACTIONS = ("view", "add", "change", "delete", "import", "export")
ALL = set(ACTIONS)
READ = {"view", "export"}

# What each role may do on an ordinary unit record; a record type can override a role.
DEFAULT_ROLE_ACTIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: ALL,
    Role.SUPERVISOR: READ,
    Role.UNIT_ADMIN: ALL,
    Role.PRINCIPAL: READ,
    Role.GUARD: set(),
    Role.STAFF: set(),
    Role.AUDITOR: READ,
}

# The audit log is read by administrators and auditors only (SPEC X-2).
AUDIT_ROLES = {Role.SYSTEM_ADMIN, Role.UNIT_ADMIN, Role.AUDITOR}


def role_actions(role: str, record_type: RecordType) -> set[str]:
    return set(record_type.roles.get(role, DEFAULT_ROLE_ACTIONS[role]))


def grants(user) -> list[tuple[str, str]]:
    """(role, unit path) pairs of the user, read once per request and cached on it."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_fangfan_grants", None)
    if cached is None:
        cached = _GRANTS.rows(user.pk)
        user._fangfan_grants = cached
    return cached


# On every request: compiled once (core.prepared).
_GRANTS = Prepared(
    lambda user_id: RoleGrant.objects.filter(user_id=user_id).values_list("role", "unit__path"),
    -7_000_000_001)


def know_grants(user, found: list[tuple[str, str]]) -> None:
    """The user's grants, read by the caller (with the API token that names the user)."""
    user._fangfan_grants = found


def forget_grants(user) -> None:
    user.__dict__.pop("_fangfan_grants", None)
    user.__dict__.pop("_fangfan_record_grants", None)


def _superuser(user, record_type: RecordType | None = None) -> bool:
    """A superuser may do anything, except on a type that needs its own grant."""
    return (bool(getattr(user, "is_superuser", False)) and user.is_active
            and not (record_type is not None and record_type.requires_grant))


def granted_paths(user, record_type: RecordType) -> list[str]:
    """The unit paths where `user` holds the grant `record_type` requires (a record of
    the type named by `requires_grant`, with `user` and `unit`), read once per request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = user.__dict__.setdefault("_fangfan_record_grants", {})
    slug = record_type.requires_grant
    if slug not in cache:
        from fangfan.core import registry

        model = registry.get(slug).model
        cache[slug] = list(model.objects.filter(user=user).values_list("unit_path",
                                                                        flat=True))
    return cache[slug]


def _within_grants(roots: list[str], granted: list[str]) -> list[str]:
    """The parts of the role's subtrees that also lie under a grant."""
    from fangfan.core.scoping import minimal_roots

    return minimal_roots(g if g.startswith(r) else r for r in roots for g in granted
                         if g.startswith(r) or r.startswith(g))


def scope_roots(user, action: str, record_type: RecordType,
                own: bool | None = None) -> list[str]:
    """Paths of the subtrees where `user` may do `action` on `record_type`. A type that
    requires a grant narrows them to the grant's subtrees (a superuser: the grants').
    `own` True: only the roles the type limits to their own rows (`own_rows`); False:
    only the others; None: every role."""
    limited = record_type.own_rows.roles if record_type.own_rows else frozenset()
    roots = [path for role, path in grants(user) if action in role_actions(role, record_type)
             and (own is None or (role in limited) == own)]
    if not record_type.requires_grant:
        return roots
    granted = granted_paths(user, record_type)
    if getattr(user, "is_superuser", False) and user.is_active:
        return granted
    return _within_grants(roots, granted)


def restrict(user, action: str, record_type: RecordType) -> Q:
    """The SQL condition for rows of `record_type` the user may `action`."""
    if _superuser(user, record_type):
        return Q()
    roots = scope_roots(user, action, record_type)
    q = _rows_q(user, action, record_type, roots)
    if action == "view" and record_type.shared_down and roots:
        q |= Q(**{f"{record_type.path_field}__in": sorted(_above(roots))})
    return q


def sees(user, record_type: RecordType, obj) -> bool:
    """Does `restrict(user, "view", record_type)` match the record `obj`? Judged in Python
    on the record's own values, as the database judges its row (a subtree is the paths
    that begin with its root; the rows a role limited to its own sees are those whose
    key names the user): a write's check that its writer still sees what it wrote
    (`services._still_visible`) then asks the database nothing inside the write."""
    if _superuser(user, record_type):
        return True
    path = getattr(obj, record_type.path_field)
    roots = scope_roots(user, "view", record_type)
    own = record_type.own_rows
    if own is None:
        inside = in_subtree(path, roots)
    else:
        mine = getattr(obj, obj._meta.get_field(own.field).attname) == user.pk
        inside = in_subtree(path, scope_roots(user, "view", record_type, own=False)) or (
            mine and in_subtree(path, scope_roots(user, "view", record_type, own=True)))
    if not inside and record_type.shared_down and roots:
        inside = path in _above(roots)
    return inside


def _rows_q(user, action: str, record_type: RecordType, roots: list[str]) -> Q:
    """The subtrees of `roots`; where a role of the user is limited to its own rows
    (`RecordType.own_rows`), the rows there the user filed, unless another role of theirs
    covers the subtree whole."""
    own = record_type.own_rows
    if own is None:
        return subtree_q(record_type.path_field, roots)
    limited = scope_roots(user, action, record_type, own=True)
    q = subtree_q(record_type.path_field, scope_roots(user, action, record_type, own=False))
    if limited:
        q |= subtree_q(record_type.path_field, limited) & Q(**{own.field: user.pk})
    return q


def _above(roots: list[str]) -> set[str]:
    """The paths of the units above the given subtrees (their proper prefixes)."""
    w = PATH_SEGMENT_WIDTH
    return {root[:i * w] for root in roots for i in range(1, len(root) // w)}


def allowed(user, action: str, record_type: RecordType, path: str | None = None) -> bool:
    """May the user `action` this record type at all, or at a given unit path? A record
    type shared down is seen by the subtree of the unit that published it."""
    if _superuser(user, record_type):
        return True
    roots = scope_roots(user, action, record_type)
    if path is None:
        return bool(roots)
    if action == "view" and record_type.shared_down and path in _above(roots):
        return True
    return in_subtree(path, roots)


def allowed_above(user, action: str, record_type: RecordType, path: str) -> bool:
    """May the user `action` at `path` by a role held on a unit *above* it? For what a
    unit may not decide about itself (RecordType.decided_above)."""
    if _superuser(user, record_type):
        return True
    return any(path.startswith(root) and path != root
               for root in scope_roots(user, action, record_type))


def audit_q(user) -> Q:
    """Audit entries the user may read: those of units under an admin/auditor grant;
    those of a type that requires a grant only where the user may see its records."""
    from fangfan.core import registry

    q = Q() if _superuser(user) else subtree_q(
        "unit_path", [p for role, p in grants(user) if role in AUDIT_ROLES])
    for rt in registry.record_types():
        if rt.requires_grant:
            q &= ~Q(record_type=rt.label) | subtree_q("unit_path",
                                                      scope_roots(user, "view", rt))
    return q


def can_read_audit(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(
        role in AUDIT_ROLES for role, _ in grants(user)
    )


def unit_roots(user) -> list[str]:
    """Every subtree the user holds any role in (for the unit switcher and home page)."""
    from fangfan.core.scoping import minimal_roots

    return minimal_roots(p for _, p in grants(user))


def markdown_table(record_types: list[RecordType]) -> str:
    """The permission table of docs/permissions.md."""
    roles = list(Role)
    head = "| record type | " + " | ".join(str(r.label) for r in roles) + " |"
    rows = [head, "|" + "---|" * (len(roles) + 1)]
    for rt in record_types:
        cells = []
        for role in roles:
            acts = role_actions(role, rt)
            cells.append(", ".join(a for a in ACTIONS if a in acts) or "—")
        grant = f" — only with a grant (`{rt.requires_grant}`)" if rt.requires_grant else ""
        if rt.own_rows:
            grant += " — " + ", ".join(str(Role(r).label) for r in roles
                                       if r in rt.own_rows.roles) \
                + f": only their own (`{rt.own_rows.field}`)"
        rows.append(f"| {rt.model._meta.verbose_name.title()} (`{rt.slug}`){grant} | "
                    + " | ".join(cells) + " |")
    audit = ["read" if r in AUDIT_ROLES else "—" for r in roles]
    rows.append("| Audit log | " + " | ".join(audit) + " |")
    return "\n".join(rows) + "\n"


# Who is shown the API documentation in the menu: those who set up integrations. The page
# itself stays open to every signed-in user (the API serves every token holder).
API_DOC_ROLES = {Role.SYSTEM_ADMIN, Role.UNIT_ADMIN}


def administers(user) -> bool:
    """Does the user hold an administrator's role anywhere (or is a superuser)?"""
    return bool(getattr(user, "is_superuser", False)) or any(
        role in API_DOC_ROLES for role, _ in grants(user))


# Who gives which roles (SPEC §0): a system administrator any role in their subtree, a
# unit administrator the roles of a unit's own staff in theirs (no escalation).
GRANTERS: dict[str, list[str]] = {
    Role.SYSTEM_ADMIN: list(Role.values),
    Role.UNIT_ADMIN: [Role.PRINCIPAL, Role.GUARD, Role.STAFF],
}


def grantable_roles(user, unit_path: str) -> list[str]:
    """The roles `user` may give (or take back) on the unit at `unit_path`."""
    if getattr(user, "is_superuser", False):
        return list(Role.values)
    out = {r for role, path in grants(user) if role in GRANTERS
           and in_subtree(unit_path, [path]) for r in GRANTERS[role]}
    return [r for r in Role.values if r in out]
