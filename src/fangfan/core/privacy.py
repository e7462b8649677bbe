"""Personal information, private by default (X-3, X-3a; PIPL).

A record type declares its personal fields and the dataset they form (`PersonalData`
on its RecordType): what kind each field is, why it is collected, on what legal basis,
and how long it is kept. The machinery masks the fields in lists, detail pages, API
answers, exports and the audit log for everyone; whoever holds the explicit permission
to see personal data in full at the record's unit (core PersonalDataGrant, never implied
by a role) reveals a value on demand, one record at a time, and each such read is logged
(PersonalDataRead). Expired records are purged by the worker, each deletion audited.
Decisions and the dataset register: docs/privacy.md.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from fangfan.core.prepared import Prepared
from fangfan.core.scoping import in_subtree

if TYPE_CHECKING:
    from django.db import models

    from fangfan.core.registry import RecordType


class Kind:
    """Kinds of personal field; each has its own mask."""

    PHONE = "phone"  # 138****0001
    IDENTITY = "identity"  # 身份证号: 1101**********1234
    PLATE = "plate"  # 京A***45
    FACE = "face"  # a face photo: not shown at all
    NAME = "name"  # 张*
    ADDRESS = "address"
    CHILD = "child"  # a child's data (sensitive, PIPL Art. 28/31)


# Each kind in words, for the collection notice and the dataset register.
KIND_LABELS = {
    Kind.PHONE: gettext_lazy("phone number"),
    Kind.IDENTITY: gettext_lazy("identity document number"),
    Kind.PLATE: gettext_lazy("licence plate"),
    Kind.FACE: gettext_lazy("face photo"),
    Kind.NAME: gettext_lazy("name"),
    Kind.ADDRESS: gettext_lazy("address"),
    Kind.CHILD: gettext_lazy("a child's information"),
}
# Sensitive personal information whatever the dataset says (PIPL Art. 28: biometrics,
# minors under 14).
SENSITIVE_KINDS = {Kind.FACE, Kind.CHILD}


@dataclass(frozen=True)
class PersonalData:
    """The personal fields of one record type and the dataset they form.

    fields: {field name: Kind}; purpose and legal_basis: sentences (translated) shown
    at every collection point and in the dataset register; retention_days: records are
    purged this many days after `retention_from` (a date/datetime field) — None keeps
    them as long as the record itself (staff records); retention_setting: the name of
    a setting that overrides retention_days on a given installation."""

    fields: dict[str, str]
    purpose: Any
    legal_basis: Any
    retention_days: int | None = None
    retention_setting: str = ""
    retention_from: str = ""
    sensitive: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def retention(self) -> int | None:
        """Days kept on this installation: the setting if set, else the declaration."""
        if self.retention_setting and hasattr(settings, self.retention_setting):
            return getattr(settings, self.retention_setting)
        return self.retention_days

    @property
    def is_sensitive(self) -> bool:
        return self.sensitive or bool(SENSITIVE_KINDS & set(self.fields.values()))


# Staff contact phones (people, units' contact persons): kept as long as the record.
STAFF_CONTACTS = PersonalData(
    fields={"phone": Kind.PHONE},
    purpose=gettext_lazy("To reach staff about security duties, emergencies and drills."),
    legal_basis=gettext_lazy("Necessary for the unit's staff management under its lawful "
                             "rules and for its statutory security duties (PIPL Art. 13, "
                             "items 2 and 3)."),
)


# --- Masks ---------------------------------------------------------------------------

def _keep(text: str, head: int, tail: int, stars: int | None = None) -> str:
    """`text` with its middle starred, keeping `head` and `tail` characters; a text too
    short to keep both keeps less, never the whole."""
    n = len(text)
    if n <= 1:
        return "*"
    while head + tail >= n:
        if tail > head:
            tail -= 1
        else:
            head -= 1
    return text[:head] + "*" * (stars or n - head - tail) + (text[n - tail:] if tail else "")


def mask(kind: str, value: Any) -> str:
    """A personal value as lists, API answers, exports and the audit log show it."""
    if value is None or value == "" or value == []:
        return ""
    if kind == Kind.FACE:
        return _("(face photo, not shown)")
    text = str(value).strip()
    if kind == Kind.PHONE:
        return _keep(text, 3, 4)
    if kind == Kind.IDENTITY:
        return _keep(text, 4, 4)
    if kind == Kind.PLATE:
        return _keep(text, 2, 2)
    if kind == Kind.ADDRESS:
        return _keep(text, min(6, len(text) // 2), 0, stars=4)
    # Names and a child's data: the first character only (张*).
    return _keep(text, 1, 0)


def fields_of(rt: RecordType | None) -> dict[str, str]:
    """The personal fields of a record type ({} if it declares none)."""
    pd = getattr(rt, "personal_data", None)
    return dict(pd.fields) if pd is not None else {}


def masked_values(rt: RecordType, data: dict[str, Any]) -> dict[str, Any]:
    """`data` (field name → value) with the type's personal fields masked."""
    kinds = fields_of(rt)
    return {k: mask(kinds[k], v) if k in kinds else v for k, v in data.items()}


def kept_unless_replaced(kind: str, current: Any, given: Any) -> Any:
    """What an edit by someone who saw only the mask means: the mask sent back unchanged
    keeps the stored value; anything else replaces it."""
    if current not in (None, "") and given == mask(kind, current):
        return current
    return given


def keeping(clean, kind: str, current):
    """A form or API field's clean that reads its unchanged mask as the stored value."""
    def wrapped(value, *args):
        return clean(kept_unless_replaced(kind, current, value), *args)

    return wrapped


def api_reveal(request, rt: RecordType, obj) -> list[str]:
    """`?reveal=phone,identity` (or `all`) on an API detail: the personal fields to answer
    in full, for whoever holds the permission at the record's unit; the read is logged."""
    from django.core.exceptions import ValidationError

    asked = [n.strip() for n in request.query_params.get("reveal", "").split(",") if n.strip()]
    if not asked:
        return []
    kinds = fields_of(rt)
    names = [n for n in kinds if kinds[n] != Kind.FACE] if asked == ["all"] else asked
    unknown = [n for n in names if n not in kinds or kinds[n] == Kind.FACE]
    if unknown:
        raise ValidationError({"reveal": _("Only these personal fields can be shown in full: "
                                           "%(fields)s.") % {"fields": ", ".join(
                                               n for n in kinds if kinds[n] != Kind.FACE)}})
    if not sees_in_full(request.user, path_of(obj)):
        raise PermissionDenied(_("You may not see personal data in full here."))
    log_reads(request.user, rt, [obj], names, API)
    return names


# --- Audit snapshots ---------------------------------------------------------------------

def audit_value(kind: str, value: Any) -> Any:
    """A personal value as the audit chain stores it: the mask and a keyed digest, so a
    change shows and can be proven, while the value itself does not outlive the record's
    purge in an entry nobody may delete."""
    if value is None or value == "" or value == []:
        return value
    digest = hmac.new(settings.SECRET_KEY.encode(), str(value).encode(),
                      hashlib.sha256).hexdigest()[:8]
    return f"{mask(kind, value)} #{digest}"


def audit_snapshot(label: str, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A before/after snapshot of a record of type `label` as the audit chain keeps it."""
    from fangfan.core import registry

    kinds = fields_of(registry.for_label(label))
    if not data or not kinds:
        return data
    attnames = _attnames(label, kinds)
    return {k: audit_value(attnames[k], v) if k in attnames else v for k, v in data.items()}


def _attnames(label: str, kinds: dict[str, str]) -> dict[str, str]:
    """{snapshot key: kind}: a snapshot names related fields by their column (`_id`)."""
    from django.apps import apps

    model = apps.get_model(label)
    return {model._meta.get_field(name).attname: kind for name, kind in kinds.items()}


def shown_in_audit(label: str, key: str, text: str) -> str:
    """A stored audit value as the log shows it: personal values masked (entries written
    before masking hold them in full), the digest left out."""
    from fangfan.core import registry

    kinds = fields_of(registry.for_label(label))
    if not kinds or text in ("", "—"):
        return text
    kind = _attnames(label, kinds).get(key)
    if kind is None:
        return text
    if " #" in text:  # already masked when stored
        return text.rsplit(" #", 1)[0]
    return mask(kind, text)


# --- Who sees in full --------------------------------------------------------------------

def reveal_roots(user) -> list[str]:
    """Unit paths where `user` was granted the permission to see personal data in full,
    read once per request and cached on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_fangfan_reveal_roots", None)
    if cached is None:
        cached = [path for (path,) in _REVEAL_ROOTS.rows(user.pk)]
        user._fangfan_reveal_roots = cached
    return cached


def _grants_of(user_id: int):
    from fangfan.core.models import PersonalDataGrant

    return PersonalDataGrant.objects.filter(user_id=user_id).values_list("unit_path")


# Asked by every API answer that carries personal fields (a check-in's visit): compiled
# once (`core.prepared`).
_REVEAL_ROOTS = Prepared(_grants_of, -7_000_000_401)


def forget(user) -> None:
    user.__dict__.pop("_fangfan_reveal_roots", None)


def path_of(obj) -> str:
    """The unit path a record lies at (a unit's own path)."""
    path = getattr(obj, "unit_path", None)
    return path if path is not None else obj.path


def sees_in_full(user, path: str) -> bool:
    """May `user` see the personal data of records at the unit `path` in full? Only by
    an explicit grant on that unit or one above it — no role, not even a superuser's
    flag, implies it (it is given on the accounts page and audited)."""
    return in_subtree(path, reveal_roots(user))


# --- Giving and taking back the permission ------------------------------------------------

def grant(actor, user, unit) -> Any:
    """Give `user` the permission to see personal data in full at `unit` and below.
    Those who give roles there give it (a system administrator, a unit administrator in
    their units), to someone holding a role at, above or below the unit; audited."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from fangfan.core import audit, permissions
    from fangfan.core.models import PersonalDataGrant
    from fangfan.core.models.audit import AuditAction

    _check_manages(actor, unit.path)
    held = [path for _role, path in permissions.grants(user)]
    if not any(p.startswith(unit.path) or unit.path.startswith(p) for p in held):
        raise ValidationError({"username": _("This user holds no role at this unit.")})
    with transaction.atomic():
        obj, created = PersonalDataGrant.objects.get_or_create(
            user=user, unit=unit, defaults={"unit_path": unit.path})
        if not created:
            raise ValidationError({"username": _("The user already holds this permission "
                                                 "here.")})
        audit.record(actor, obj, AuditAction.CREATE, None, audit.snapshot(obj), unit.path)
    forget(user)
    return obj


def revoke(actor, obj) -> None:
    """Take the permission back; audited."""
    from django.db import transaction

    from fangfan.core import audit
    from fangfan.core.models.audit import AuditAction

    _check_manages(actor, obj.unit_path)
    with transaction.atomic():
        audit.record(actor, obj, AuditAction.DELETE, audit.snapshot(obj), None, obj.unit_path)
        obj.delete()
    forget(obj.user)


def _check_manages(actor, path: str) -> None:
    from fangfan.core import accounts
    from fangfan.core.services import OutOfScope

    if actor is not None and not actor.is_superuser and not in_subtree(
            path, accounts.manager_roots(actor)):
        raise OutOfScope(_("You may not give this permission on this unit."))


# --- The read log ------------------------------------------------------------------------

PAGE, API, EXPORT, EDIT, DOCUMENT = "page", "api", "export", "edit", "document"


def log_reads(user, rt: RecordType, objs: Iterable[models.Model], names: Iterable[str],
              channel: str) -> int:
    """Record that `user` read the personal fields `names` of `objs` in full."""
    from fangfan.core.models import PersonalDataRead

    names = sorted(set(names))
    rows = [PersonalDataRead(
        user=user, user_name=user.get_username(), unit_path=path_of(obj),
        record_type=rt.label, record_id=str(obj.pk), record_repr=str(obj)[:300],
        fields=names, channel=channel) for obj in objs]
    PersonalDataRead.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def field_labels(rt_label: str, names: Iterable[str]) -> str:
    """Stored field names in the reader's language (the read log never shows codes)."""
    from django.apps import apps

    try:
        model = apps.get_model(rt_label)
    except (LookupError, ValueError):
        return ""
    out = []
    for name in names:
        try:
            out.append(str(capfirst(model._meta.get_field(name).verbose_name)))
        except Exception:  # a field since removed: its kind of data, not its code
            out.append(_("a field no longer recorded"))
    return ("、" if (get_language() or "").startswith("zh") else ", ").join(out)


def document_values(user, rt: RecordType, objs: Iterable[models.Model]) -> list[dict[str, Any]]:
    """The personal fields of `objs` as a generated document (a DOCX plan's contact list,
    a printed pass) writes them for `user`: in full at the units where they hold the
    permission to see in full (each such record's read logged, "generated document"),
    masked elsewhere. One {field: value} per record, in order."""
    kinds = fields_of(rt)
    roots = reveal_roots(user)
    out, full = [], []
    for obj in objs:
        shown = in_subtree(path_of(obj), roots)
        if shown:
            full.append(obj)
        out.append({n: getattr(obj, n) if shown else mask(k, getattr(obj, n))
                    for n, k in kinds.items()})
    if full:
        log_reads(user, rt, full, kinds, DOCUMENT)
    return out


# --- Exports -----------------------------------------------------------------------------

class ExportReveal:
    """Which rows of an export show personal data in full (asked for, and where the
    user holds the permission), logging them in batches as the rows are written."""

    BATCH = 500

    def __init__(self, user, rt):
        self.user, self.rt = user, rt
        self.roots = reveal_roots(user)
        self.names = [n for n in fields_of(rt) if n in rt.columns()]
        self.pending: list = []

    def __call__(self, obj) -> bool:
        if not in_subtree(path_of(obj), self.roots):
            return False
        self.pending.append(obj)
        if len(self.pending) >= self.BATCH:
            self.done()
        return True

    def done(self) -> None:
        if self.pending:
            log_reads(self.user, self.rt, self.pending, self.names, EXPORT)
            self.pending = []


def export_reveal(request, rt) -> ExportReveal | None:
    """`?reveal=1` on an export: full values where permitted (refused where never)."""
    if request.GET.get("reveal") != "1" or not fields_of(rt):
        return None
    if not reveal_roots(request.user):
        raise PermissionDenied(_("You may not see personal data in full."))
    return ExportReveal(request.user, rt)


# --- The notice and the register ---------------------------------------------------------

def retention_text(pd: PersonalData, rt: RecordType) -> str:
    days = pd.retention()
    if days is None:
        return _("Kept as long as the record itself is needed; deleted with it.")
    start = ""
    if pd.retention_from:
        start = str(rt.model._meta.get_field(pd.retention_from).verbose_name)
    return ngettext(
        "Deleted automatically %(days)d day after the %(start)s.",
        "Deleted automatically %(days)d days after the %(start)s.", days) % {
        "days": days, "start": start or _("record was made")}


@dataclass
class Dataset:
    """One dataset of the register (and of every collection notice of its type)."""

    rt: Any
    fields: list[tuple[str, str]]
    purpose: str
    legal_basis: str
    retention: str
    retention_days: int | None
    overridden: bool
    sensitive: bool


def dataset(rt: RecordType) -> Dataset:
    pd = rt.personal_data
    meta = rt.model._meta
    fields = [(str(capfirst(meta.get_field(name).verbose_name)), str(KIND_LABELS.get(kind, "")))
              for name, kind in pd.fields.items()]
    overridden = bool(pd.retention_setting and hasattr(settings, pd.retention_setting)
                      and pd.retention() != pd.retention_days)
    return Dataset(rt, fields, str(pd.purpose), str(pd.legal_basis), retention_text(pd, rt),
                   pd.retention(), overridden, pd.is_sensitive)


def datasets() -> list[Dataset]:
    from fangfan.core import registry

    return [dataset(rt) for rt in registry.record_types() if rt.personal_data is not None]


def register_markdown() -> str:
    """The dataset register of docs/privacy.md (English; a test keeps them equal)."""
    from django.utils import translation

    with translation.override("en"):
        rows = ["| dataset | personal fields | purpose | legal basis | retention |",
                "|---|---|---|---|---|"]
        for d in datasets():
            fields = ", ".join(f"{label} ({kind})" for label, kind in d.fields)
            days = ("with the record" if d.retention_days is None
                    else f"{d.retention_days} days" + (
                        f" (setting `{d.rt.personal_data.retention_setting}`)"
                        if d.rt.personal_data.retention_setting else ""))
            rows.append(f"| {capfirst(d.rt.verbose_name_plural)} (`{d.rt.slug}`)"
                        f"{' — sensitive' if d.sensitive else ''} | {fields} | {d.purpose}"
                        f" | {d.legal_basis} | {days} |")
    return "\n".join(rows) + "\n"


# --- Retention ---------------------------------------------------------------------------

def expired(rt: RecordType, now: dt.datetime | None = None):
    """Records of `rt` past their retention (none if it keeps them with the record)."""
    pd = rt.personal_data
    days = pd.retention() if pd is not None else None
    if days is None or not pd.retention_from:
        return rt.model.objects.none()
    now = now or timezone.now()
    limit: dt.date | dt.datetime = now - dt.timedelta(days=days)
    from django.db import models as m

    if not isinstance(rt.model._meta.get_field(pd.retention_from), m.DateTimeField):
        limit = timezone.localtime(limit).date()
    return rt.model.objects.filter(**{f"{pd.retention_from}__lt": limit}).order_by("pk")


def purge(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete every record past its retention through the one write path, so the audit
    chain records each deletion (by the system, personal values masked); a record others
    still depend on is kept, and tried again the next night."""
    from fangfan.core import registry

    counts: dict[str, int] = {}
    for rt in registry.record_types():
        if rt.personal_data is None:
            continue
        done = 0
        keys = list(expired(rt, now).values_list("pk", flat=True))
        for start in range(0, len(keys), 500):
            for obj in rt.model.objects.filter(pk__in=keys[start:start + 500]):
                done += _purge_one(obj)
        if done:
            counts[rt.slug] = done
    return counts


def _purge_one(obj) -> int:
    """1 if the record was deleted, 0 if others still depend on it."""
    from django.core.exceptions import ValidationError

    from fangfan.core import services

    try:
        services.delete_record(None, obj)
    except ValidationError:
        return 0
    return 1
