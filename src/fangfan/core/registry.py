"""The record registry: one declaration per record type drives its pages, API,
filters, import/export, audit and the generated scoping tests (ARCHITECTURE.md)."""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from fangfan.core.models import Unit


class RecordServices:
    """Rules of a record type's own that follow each write of one of its records, run by
    core.services inside the write's transaction (`RecordType.services`). Subclass and
    override what applies; further changes go through `services.update_following`."""

    def before_save(self, actor, obj: models.Model, before: dict[str, Any] | None) -> None:
        """Before validation of a create (`before` None) or an update: stamp what follows
        from the actor (who took a step) or refuse what only the actor's rights decide,
        with a ValidationError."""

    def after_save(self, actor, obj: models.Model, before: dict[str, Any] | None) -> None:
        """After a create (`before` None) or an update (`before`: the audit snapshot)."""

    def after_delete(self, actor, obj: models.Model) -> None:
        """After a delete (`obj` keeps its field values)."""

    def on_view(self, actor, obj: models.Model) -> None:
        """After `actor` opened the record's page or read it through the API's detail
        endpoint (not lists or exports), e.g. a notice's read receipt. A read, not a
        write: it is not audited, and must not refuse (core.services.viewed)."""

    def on_read(self, actor, rows: list[models.Model], how: str) -> None:
        """After `actor` was shown `rows` in a list page, an API list page or an export
        (`how`: "list", "api", "export"): the read log of the most sensitive records
        (the persons-of-concern ledger). Must not refuse (core.services.read)."""


@dataclass(frozen=True)
class Action:
    """A button on a record's page that adds a record of type `slug` with its foreign
    key `key` set to the record (and `prefill` further fields; a callable value is
    given the record, e.g. `lambda t: t.risk`), shown only where `when(record)` holds,
    e.g. "Verify" on a rectified hazard. `own_unit`: the new record is of the user's own
    unit, not the record's (a school adds a risk from its authority's shared template),
    so the button shows to whoever may add that type anywhere and the unit is not
    prefilled. An empty `key`: the new record does not point back to this one, only
    `prefill` carries it over (a suspicious report made a hazard)."""

    slug: str
    key: str
    label: Any = ""
    prefill: dict[str, Any] = field(default_factory=dict)
    when: Callable[[models.Model], bool] | None = None
    own_unit: bool = False


@dataclass(frozen=True)
class OwnRows:
    """Roles that see and act on only the records they filed themselves
    (`RecordType.own_rows`): `field` is the record's foreign key to the user account
    that filed it, stamped by the type's services (a suspicious report's `reported_by`);
    `roles` are limited to rows whose `field` is the user, in every read path. Other
    roles see their subtrees as usual, and a user who also holds such a role sees all."""

    field: str
    roles: frozenset[str]


@dataclass
class RecordType:
    """Everything the machinery needs to know about one record type."""

    model: type[models.Model]
    slug: str
    area: str
    list_fields: list[str]
    form_fields: list[str]
    example: Callable[[Unit], dict[str, Any]]
    filter_fields: list[str] = field(default_factory=list)
    # Filters beyond model fields, e.g. "overdue" (django-filter Filter instances).
    extra_filters: dict[str, Any] = field(default_factory=dict)
    search_fields: list[str] = field(default_factory=list)
    import_fields: list[str] | None = None
    detail_fields: list[str] | None = None
    lookups: dict[str, str] = field(default_factory=dict)
    roles: dict[str, set[str]] = field(default_factory=dict)
    path_field: str = "unit_path"
    icon: str = ""
    services: RecordServices | None = None
    # Counted on the home page's unit cards: the main records only, since each count is a
    # query over the subtree (derived data and details such as body members are not).
    on_home: bool = True
    # Records of other types shown on this one's detail page: (child slug, its foreign key
    # to this type), e.g. a body's members. Each list offers "add" prefilled with the key.
    children: list[tuple[str, str]] = field(default_factory=list)
    # Fields only someone above the record's unit may change (a unit's kind, stage,
    # grade and headcounts decide what is required of it): refused to the unit's own
    # roles by the services, shown read-only in their form.
    decided_above: tuple[str, ...] = ()
    # The label of a quick action on the home page that adds a record of this type
    # ("Report a fault"); shown to those who may add one. Empty: none.
    quick_action: Any = ""
    # The quick action is an emergency's (report an incident): a big red button first,
    # the whole width of a phone, so it is found at once.
    quick_action_urgent: bool = False
    # The quick action is an authority's (issue an alert level to the units below): shown
    # only where the unit in focus has units below it.
    quick_action_above: bool = False
    # On a phone a list shows cards: a title and two facts (list fields; default the first
    # three, leaving out the status) and a status badge (default the "status" list field).
    card_fields: list[str] | None = None
    status_field: str | None = None
    # A valid change of an example record, for generated tests (default: a text field).
    example_update: Callable[[models.Model], dict[str, Any]] | None = None
    # Fields that apply only for some values of a choice: {field: (choice field, values)},
    # e.g. an asset's retention days only for recorders. The form offers such a field only
    # when the choice has one of the values and refreshes them when the choice changes;
    # the model's clean() still refuses a value where it does not apply (API, imports).
    applies_when: dict[str, tuple[str, Collection[str]]] = field(default_factory=dict)
    # Buttons on the detail page that add a record of another type prefilled with this
    # one: (child slug, its foreign key to this type[, label]), e.g. ("faults", "asset",
    # _("Report a fault")). Shown to those who may add it in the record's unit, and only
    # where the key's own limit (limit_choices_to) admits this record.
    actions: list[tuple[Any, ...] | Action] = field(default_factory=list)
    # Records of a unit are seen by its subtree too (an authority's checklists and
    # notices are published to the units under it); changing them stays with the unit.
    shared_down: bool = False
    # The add form takes photos or files with the record (a hazard reported from a phone
    # with its photo), attached as evidence in the same transaction. The label; empty: no.
    files_on_create: Any = ""
    # Fields offered only to those who may change records of the type (a hazard's
    # responsible person and deadline): the guard reporting one sees what is found.
    managed_fields: tuple[str, ...] = ()
    # Its personal fields and the dataset they form (core.privacy, X-3): masked unless
    # the viewer may see them in full, each full read logged, purged after retention.
    personal_data: Any = None
    # Foreign keys whose choices are every record of the related type in the units where
    # the user may add or change this type, not only those the user may see in their own
    # list (a guard registering a visitor names the host among the unit's people).
    pick_within: tuple[str, ...] = ()
    # The slug of a grant record type (a model with `user` and `unit`): records of this
    # type are seen and written only by users holding such a grant on their unit or above
    # it, on top of what their role allows — never implied by a role, not even a system
    # administrator's or a superuser's (the persons-of-concern ledger, INF-4).
    requires_grant: str = ""
    # Roles that see only the records they filed (OwnRows): a staff member's own
    # suspicious reports, while the leaders who assess them see the unit's.
    own_rows: OwnRows | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def url_name(self, view: str) -> str:
        return f"records:{self.slug}-{view}"

    # Names for {% url %} in templates, which cannot pass arguments to url_name().
    list_url_name = property(lambda self: self.url_name("list"))
    add_url_name = property(lambda self: self.url_name("add"))
    import_url_name = property(lambda self: self.url_name("import"))
    export_url_name = property(lambda self: self.url_name("export"))
    edit_url_name = property(lambda self: self.url_name("edit"))
    delete_url_name = property(lambda self: self.url_name("delete"))
    attach_url_name = property(lambda self: self.url_name("attach"))

    def columns(self) -> list[str]:
        """Fields of imports and exports (the form's fields, or a narrower list)."""
        return list(self.import_fields or self.form_fields)

    @property
    def importable(self) -> bool:
        """Whether its records can be imported: every column is a field of its form.
        Derived records (obligations) export more than a person may write, so they are
        exported only."""
        return set(self.columns()) <= set(self.form_fields)

    def shown_fields(self) -> list[str]:
        return list(self.detail_fields or self.form_fields)

    def applies(self, name: str, value_of: Callable[[str], Any]) -> bool:
        """Does field `name` apply (`applies_when`), given how to read a choice's value?"""
        rule = self.applies_when.get(name)
        return rule is None or str(value_of(rule[0]) or "") in {str(v) for v in rule[1]}


_registry: dict[str, RecordType] = {}
# The same types by model and by label: every write looks its type up (its rules, its
# audit snapshot), and a scan of some eighty types cost more than the lookup it served.
_by_model: dict[type, RecordType] = {}
_by_label: dict[str, RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    if record_type.slug in _registry:
        raise ValueError(f"record type {record_type.slug!r} registered twice")
    _registry[record_type.slug] = record_type
    _by_model.setdefault(record_type.model, record_type)
    _by_label.setdefault(record_type.label, record_type)
    return record_type


def record_types() -> list[RecordType]:
    return list(_registry.values())


def get(slug: str) -> RecordType:
    return _registry[slug]


def record_types_by_slug() -> dict[str, RecordType]:
    return dict(_registry)


def for_model(model: type[models.Model]) -> RecordType:
    try:
        return _by_model[model]
    except KeyError:
        raise KeyError(model) from None


def is_registered(model: type[models.Model]) -> bool:
    return model in _by_model


def for_label(label: str) -> RecordType | None:
    return _by_label.get(label)
