"""The base of every unit-scoped record type."""
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangfan.core import limits
from fangfan.core.prepared import Prepared, related


class RecordUrlMixin:
    """Detail URL from the registry, so generated tables and redirects can link."""

    def get_absolute_url(self) -> str:
        from fangfan.core.registry import for_model

        return reverse(for_model(type(self)).url_name("detail"), args=[self.pk])


class UnitRecord(RecordUrlMixin, models.Model):
    """A record owned by one unit. `unit_path` copies the unit's tree path so scoping
    and aggregates over a subtree are one index range, without joining the tree.
    The service layer (core.services) sets it; nothing else writes records."""

    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # (field, message): what a violated unique constraint says, and on which field, instead
    # of Django's generic text naming every field of the constraint.
    unique_error: tuple[str, str] | None = None
    # Related records that must belong to this record's own unit, with what a refusal
    # says, e.g. {"person": _("Only people of the body's own unit can be members.")}.
    same_unit: dict[str, str] = {}
    # The largest value of a number field where the generic nine digits (core.limits) is
    # too much, e.g. {"every_days": 3660}: a value that fits the column may still
    # overflow the dates computed from it.
    number_limits: dict[str, int] = {}

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors: dict = {}
        loaded = self._loaded_relations()
        numbered = [f for f in self._numbered_relations(exclude) if f.name not in loaded]
        try:
            super().clean_fields(exclude=[*(exclude or ()), *loaded,
                                          *(f.name for f in numbered)])
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in numbered:
            try:
                _check_exists(field, getattr(self, field.attname))
            except ValidationError as exc:
                errors[field.name] = exc.messages
        self.check_limits(exclude, errors)
        for name, message in self.same_unit.items():
            if name in errors or name in (exclude or ()):
                continue
            other = related(self, name) if getattr(self, f"{name}_id") else None
            if other is not None and self.unit_id and other.unit_id != self.unit_id:
                errors[name] = [message]
        if errors:
            raise ValidationError(errors)

    def _loaded_relations(self) -> list[str]:
        """Foreign keys whose record is loaded on this instance, with no limit on the
        choice: Django's check would ask the database whether a record exists that was
        just read from it (the API's serializer and the services load them), a query per
        key on every write (docs/benchmarks.md). The database's own constraint still
        refuses one deleted in between."""
        loaded = []
        for field in self._meta.concrete_fields:
            if not field.many_to_one or field.remote_field.limit_choices_to:
                continue
            related = field.get_cached_value(self, None)
            if related is not None and related.pk is not None \
                    and related.pk == getattr(self, field.attname):
                loaded.append(field.name)
        return loaded

    def _numbered_relations(self, exclude) -> list[models.ForeignKey]:
        """Foreign keys holding a record's number, with no limit on the choice: whether
        that record exists is asked by SQL compiled once (`_check_exists`), where Django
        compiles its query anew on every write, inside the part that holds the database
        (SQLite) or the chain's head (docs/benchmarks.md). The rest of Django's check of
        such a field (empty, choices) does not apply to a number."""
        return [field for field in self._meta.concrete_fields
                if field.many_to_one and not field.remote_field.limit_choices_to
                and not field.remote_field.parent_link and field.name not in (exclude or ())
                and type(value := getattr(self, field.attname)) is int
                and _plain(value)  # beyond any column, Django's lookup finds nothing
                and isinstance(field.target_field, models.AutoField)]

    def check_limits(self, exclude, errors: dict) -> None:
        """The limits of each field's type (core.limits) for every write, also those
        that come through no form (services called by code, the demo, imports)."""
        for field in self._meta.concrete_fields:
            if field.name in errors or field.name in (exclude or ()):
                continue
            value = getattr(self, field.attname)
            if value in field.empty_values:
                continue
            for validator in limits.validators_for(field, self.number_limits):
                try:
                    validator(value)
                except ValidationError as exc:
                    errors.setdefault(field.name, []).extend(exc.messages)
                    break

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        """Django runs clean() even when a field failed, so a model's date arithmetic may
        overflow on a value its field refuses: answer the field's error instead."""
        try:
            super().full_clean(exclude, validate_unique, validate_constraints)
        except (OverflowError, ValueError) as exc:
            self.clean_fields(exclude)  # a field out of range: its own message
            if isinstance(exc, OverflowError):  # date arithmetic beyond year 9999
                raise ValidationError(_("A number or date is out of range.")) from exc
            raise

    def get_constraints(self):
        """Django's, less the conditional unique constraints whose condition the record's
        own fields already fail (`condition_fails`): Django compiles two queries per
        write to learn that (a gap hazard's one open hazard per requirement, on every
        step of the hazard). The database enforces the constraint whatever is checked."""
        return [(model, [_compiled(c) for c in constraints if not condition_fails(c, self)])
                for model, constraints in super().get_constraints()]

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            if self.unique_error is None:
                raise
            field, message = self.unique_error
            raise ValidationError({field: message}) from exc


def _compiled(constraint):
    """A unique constraint on plain columns checked by SQL compiled once
    (`CompiledUnique`); any other constraint as it is."""
    if isinstance(constraint, models.UniqueConstraint) and constraint.fields and \
            constraint.condition is None and not constraint.expressions and \
            not constraint.include and constraint.nulls_distinct is None and \
            constraint.violation_error_message == constraint.default_violation_error_message:
        return CompiledUnique(constraint)
    return constraint


_UNIQUE: dict[tuple, Prepared | None] = {}


class CompiledUnique:
    """Django's check of a unique constraint on columns (`UniqueConstraint.validate`, its
    message included), by SQL compiled once per constraint and kinds of values: Django
    compiles the query on every write of the record. Values other than text and whole
    numbers (dates, flags), and columns whose value does not reach the SQL as it is, are
    left to Django."""

    def __init__(self, constraint: models.UniqueConstraint) -> None:
        self.constraint = constraint
        self.fields = constraint.fields

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS) -> None:
        c = self.constraint
        if exclude and any(name in exclude for name in c.fields):
            return
        values = []
        for name in c.fields:
            field = model._meta.get_field(name)
            value = getattr(instance, field.attname)
            if value is None:  # NULL equals nothing: no violation
                return
            if field.generated or not _plain(value) or (
                    value == "" and connections[using].features.interprets_empty_strings_as_nulls):
                return c.validate(model, instance, exclude, using)
            values.append(value)
        if not instance._state.adding and instance._is_pk_set(model._meta):
            values.append(instance._get_pk_val(model._meta))  # itself excluded
        if not all(_plain(v) for v in values):
            return c.validate(model, instance, exclude, using)
        query = _unique_query(model, c, tuple(_kind(v) for v in values), using)
        if query is None:
            return c.validate(model, instance, exclude, using)
        if query.rows(*values, using=using):
            message = instance.unique_error_message(model, c.fields)
            raise ValidationError(message, code=message.code)
        return None


def _plain(value) -> bool:
    """Text, or a whole number any column holds (a larger one would overflow SQLite's
    driver: Django's own check finds it matches nothing)."""
    kind = _kind(value)
    return kind is str or (kind is int and -2 ** 63 <= value < 2 ** 63)


def _unique_query(model, constraint, kinds: tuple, using: str) -> Prepared | None:
    """The query finding another record with the same values (None: not compilable)."""
    key = (model._meta.label_lower, constraint.name, kinds, using)
    if key in _UNIQUE:
        return _UNIQUE[key]
    names = list(constraint.fields)

    def build(*values):
        qs = model._default_manager.filter(**dict(zip(names, values, strict=False)))
        if len(values) > len(names):
            qs = qs.exclude(pk=values[-1])
        return qs.order_by().values_list("pk")[:1]

    # Marks within a 32-bit column's range: Django compiles a lookup beyond the field's
    # range to match nothing, without the value.
    marks = [f"\x00unique-{i}\x00" if kind is str else -2_000_000_000 - i
             for i, kind in enumerate(kinds)]
    query = Prepared(build, *marks)
    try:
        query.compile(using)
    except (ValueError, EmptyResultSet, TypeError):
        query = None
    _UNIQUE[key] = query
    return query


def condition_fails(constraint, instance: models.Model) -> bool:
    """Is a unique constraint's condition certainly false for `instance`, judged from its
    own fields? Only a condition that is a plain AND of equality, membership and
    null tests of concrete columns against constants of the value's own type is
    judged; anything else is left to Django (False)."""
    condition = getattr(constraint, "condition", None)
    if not isinstance(constraint, models.UniqueConstraint) or condition is None or \
            condition.negated or condition.connector != models.Q.AND:
        return False
    return any(_child_fails(child, instance) for child in condition.children)


def _child_fails(child, instance: models.Model) -> bool:
    if not isinstance(child, tuple):
        return False
    name, _sep, lookup = child[0].partition("__")
    try:
        field = instance._meta.get_field(name)
    except LookupError:
        return False
    if not field.concrete or field.is_relation or "__" in lookup:
        return False
    value, wanted = getattr(instance, field.attname), child[1]
    if lookup in ("", "exact") and wanted is None:  # Q(x=None) is x IS NULL
        lookup, wanted = "isnull", True
    if lookup == "isnull":
        return wanted in (True, False) and (value is None) != wanted
    if value is None:  # NULL compares unknown: the condition fails
        return lookup in ("", "exact", "in")
    if lookup in ("", "exact"):
        return _kind(wanted) is _kind(value) and wanted != value
    if lookup == "in" and isinstance(wanted, (list, tuple, set, frozenset)):
        return all(_kind(w) is _kind(value) for w in wanted) and value not in wanted
    return False


def _kind(value) -> type:
    """Text, flag or whole number (a choice's enum member is its text), else the type:
    values of one kind compare in Python as the database compares them."""
    for kind in (str, bool, int):
        if isinstance(value, kind):
            return kind
    return type(value)


_EXISTS: dict[tuple[str, str], Prepared] = {}


def _check_exists(field: models.ForeignKey, value: int) -> None:
    """Django's check that a foreign key names an existing record (`ForeignKey.validate`,
    its message included), by SQL compiled once per key."""
    remote = field.remote_field.model
    name = field.remote_field.field_name
    key = (remote._meta.label_lower, name)
    query = _EXISTS.get(key)
    if query is None:
        query = _EXISTS[key] = Prepared(
            lambda v: remote._base_manager.filter(**{name: v}).order_by().values_list(name)[:1],
            -7_000_000_101)
    if not query.rows(value, using=router.db_for_read(remote)):
        raise ValidationError(field.error_messages["invalid"], code="invalid", params={
            "model": remote._meta.verbose_name, "pk": value, "field": name, "value": value})
