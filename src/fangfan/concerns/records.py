"""Record type declarations of the persons-of-concern ledger (INF-4). The entries and
their contacts require the ledger grant (`requires_grant`): without it no role sees them
anywhere. The grants themselves and the read log are the administrators' and auditors'."""
from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from fangfan.concerns.models import (
    ConcernEntry,
    ContactLog,
    LedgerAccess,
    LedgerRead,
    ReadChannel,
    ReadKind,
)
from fangfan.concerns.services import AccessServices, ContactServices, EntryServices
from fangfan.core.examples import in_unit
from fangfan.core.models import Role, User
from fangfan.core.privacy import Kind, PersonalData
from fangfan.core.registry import Action, RecordType, register
from fangfan.resources.models import Person

GRANT = "ledger-access"
READ = {"view", "export"}
ALL = {"view", "add", "change", "delete", "import", "export"}
# With the grant: administrators (the security office) keep the ledger and the principal
# writes entries and contacts; guards and other staff never see it, even if granted;
# supervisors and auditors above read it.
LEDGER_ROLES = {
    Role.SYSTEM_ADMIN: ALL, Role.UNIT_ADMIN: ALL,
    Role.PRINCIPAL: {"view", "add", "change", "export"},
    Role.STAFF: set(), Role.GUARD: set(),
    Role.SUPERVISOR: READ, Role.AUDITOR: READ,
}
PERSONAL = PersonalData(
    fields={"person_name": Kind.NAME},
    purpose=_("The persons-of-concern ledger of seed 002: the liaison keeps in touch with "
              "each person weekly until the entry is closed."),
    legal_basis=_("Counter-Terrorism Law Art. 31 and the unit's prevention duties; PIPL "
                  "Art. 13(3) (legal duties)."),
    sensitive=True,
)


def _person(unit, name: str = "李联络") -> Person:
    return in_unit(Person, unit, {"name": name})


def _entry(unit) -> ConcernEntry:
    return in_unit(ConcernEntry, unit, {"person_name": "王某"},
                   observed="多次在校门口拍摄门卫值守位置", reason="反复窥探学校安保部署",
                   source="own_observation", opened_on=date(2026, 9, 1),
                   review_on=date(2026, 12, 1), liaison_person=_person(unit))


def _account(unit) -> User:
    """A new account holding a staff role in `unit` (a grant needs a role there)."""
    from fangfan.core import services

    user = User.objects.create_user(f"ledger-{unit.pk}-{User.objects.count()}",
                                    password=None)
    services.grant_role(None, user, unit, Role.STAFF)
    return user


register(RecordType(
    model=ConcernEntry,
    slug="concern-entries",
    area="inf",
    requires_grant=GRANT,
    list_fields=["person_name", "status", "review_on", "opened_on", "unit"],
    card_fields=["person_name", "review_on", "unit"],
    form_fields=["unit", "person_name", "observed", "reason", "source", "opened_on",
                 "liaison", "liaison_person", "review_on", "status", "closed_on",
                 "closing_reason"],
    filter_fields=["status", "source"],
    search_fields=["person_name", "observed", "reason"],
    lookups={"liaison_person": "name"},
    applies_when={"closed_on": ("status", {"closed"}),
                  "closing_reason": ("status", {"closed"})},
    roles=LEDGER_ROLES,
    children=[("concern-contacts", "entry")],
    actions=[Action("concern-contacts", "entry", _("Log a contact"),
                    when=lambda e: e.is_open)],
    services=EntryServices(),
    personal_data=PERSONAL,
    example=lambda unit: {
        "unit": unit, "person_name": "王某", "observed": "多次在校门口拍摄门卫值守位置",
        "reason": "反复窥探学校安保部署", "source": "own_observation",
        "opened_on": date(2026, 9, 1), "review_on": date(2026, 12, 1),
        "liaison_person": _person(unit)},
    example_update=lambda obj: {"review_on": date(2027, 1, 15)},
))

register(RecordType(
    model=ContactLog,
    slug="concern-contacts",
    area="inf",
    on_home=False,
    requires_grant=GRANT,
    list_fields=["contacted_on", "entry", "method", "contacted_by", "unit"],
    card_fields=["contacted_on", "entry", "method"],
    form_fields=["unit", "entry", "contacted_on", "method", "contacted_by", "note"],
    filter_fields=["method", "entry"],
    search_fields=["note"],
    lookups={"contacted_by": "name"},
    roles=LEDGER_ROLES,
    services=ContactServices(),
    example=lambda unit: {"unit": unit, "entry": _entry(unit),
                          "contacted_on": date(2026, 9, 8), "method": "in_person",
                          "contacted_by": _person(unit), "note": "本人表示不再到校门口拍摄"},
    example_update=lambda obj: {"note": "已告知学校安保规定"},
))

register(RecordType(
    model=LedgerAccess,
    slug=GRANT,
    area="sys",
    on_home=False,
    list_fields=["user", "granted_by", "granted_at", "unit"],
    form_fields=["unit", "user", "note"],
    detail_fields=["unit", "user", "note", "granted_by", "granted_at"],
    search_fields=["user__username", "note"],
    lookups={"user": "username"},
    # Given and taken back by administrators (both audited; a change keeps its account);
    # the principal and auditors see who holds it.
    roles={Role.SYSTEM_ADMIN: {"view", "add", "change", "delete", "export"},
           Role.UNIT_ADMIN: {"view", "add", "change", "delete", "export"},
           Role.PRINCIPAL: {"view"}, Role.AUDITOR: READ,
           Role.SUPERVISOR: set(), Role.GUARD: set(), Role.STAFF: set()},
    services=AccessServices(),
    example=lambda unit: {"unit": unit, "user": _account(unit), "note": "本单位联络员"},
    example_update=lambda obj: {"note": "保卫处专职干部"},
))

register(RecordType(
    model=LedgerRead,
    slug="ledger-reads",
    area="sys",
    on_home=False,
    list_fields=["read_at", "reader", "channel", "kind", "count", "unit"],
    card_fields=["read_at", "reader", "channel"],
    form_fields=["unit", "reader", "channel", "kind", "record_ids", "count"],
    filter_fields=["channel", "kind"],
    search_fields=["reader__username", "record_ids"],
    lookups={"reader": "username"},
    # Written by the ledger's services only; read by administrators and auditors.
    roles={Role.SYSTEM_ADMIN: READ, Role.UNIT_ADMIN: READ, Role.AUDITOR: READ,
           Role.PRINCIPAL: set(), Role.SUPERVISOR: set(), Role.GUARD: set(),
           Role.STAFF: set()},
    example=lambda unit: {"unit": unit, "reader": _account(unit),
                          "channel": ReadChannel.LIST, "kind": ReadKind.ENTRIES,
                          "record_ids": "1", "count": 1},
    example_update=lambda obj: {"count": 2},
))
