"""Queries of a fixed shape compiled once and run again with new values.

Every API request reads the presented token with its user, then the user's role grants:
two small queries whose SQL never changes, only the value looked up. Django compiles a
queryset's SQL anew each time, which costs several times what the database takes to
answer them (400-600 µs against 40-90 µs, docs/benchmarks.md). A `Prepared` query is
built once from the ORM with placeholder values, compiled once per database, and then
only executed: the SQL and the conversion of its columns (dates on SQLite) are Django's
own, so it reads exactly what the queryset would.

Only values that reach the SQL unchanged can be placeholders (equality on a column):
building checks that each appears exactly once among the compiled parameters, so a
lookup that rewrites its value (`startswith`, `in`) is refused at the first use rather
than answering wrong."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.query import ValuesIterable


def slot_of(params: list, placeholder: Any, sql: str) -> int:
    """Where `placeholder` stands among a compiled query's parameters: exactly once, or
    the query cannot be run again with another value in its place."""
    if params.count(placeholder) != 1:
        raise ValueError(f"{placeholder!r} is not one parameter of {sql}")
    return params.index(placeholder)


class Prepared:
    """`build(*placeholders)` gives a values_list queryset; `rows(*values)` runs it with
    the values in the placeholders' places."""

    def __init__(self, build: Callable[..., QuerySet], *placeholders: Any) -> None:
        self.build = build
        self.placeholders = placeholders
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()
        # The queryset's kind of rows, and the names of a values() queryset's columns:
        # known once compiled.
        self.iterable: type | None = None
        self.names: list[str] | None = None

    def _compile(self, using: str) -> tuple:
        with self._lock:
            if using not in self._compiled:
                queryset = self.build(*self.placeholders)
                query = queryset.query
                self.iterable = queryset._iterable_class
                if self.iterable is ValuesIterable:
                    self.names = (list(query.selected) if query.selected else [
                        *query.extra_select, *query.values_select, *query.annotation_select])
                compiler = query.get_compiler(using=using)
                sql, params = compiler.as_sql()
                params = list(params)
                slots = [slot_of(params, value, sql) for value in self.placeholders]
                fields = [s[0] for s in compiler.select[:compiler.col_count]]
                self._compiled[using] = (sql, params, slots, compiler,
                                         compiler.get_converters(fields))
        return self._compiled[using]

    def compile(self, using: str = "default") -> None:
        """Compile now: raises ValueError where a placeholder does not reach the SQL as
        it is, EmptyResultSet where the query can match nothing."""
        if using not in self._compiled:
            self._compile(using)

    def rows(self, *values: Any, using: str = "default") -> list[tuple]:
        compiled = self._compiled.get(using) or self._compile(using)
        return [tuple(row) for row in _run(*compiled, values, using)]

    def statement(self, *values: Any, using: str = "default") -> tuple[str, list]:
        """The SQL and its parameters with `values` in the placeholders' places, for a
        caller that sends several statements at once (then `convert` their rows)."""
        sql, params, slots, *_rest = self._compiled.get(using) or self._compile(using)
        params = list(params)
        for slot, value in zip(slots, values, strict=True):
            params[slot] = value
        return sql, params

    def convert(self, found: list, using: str = "default") -> list[tuple]:
        """Rows of `statement` as `rows` answers them: the selected columns only,
        converted as the queryset converts them."""
        *_sql, compiler, converters = self._compiled.get(using) or self._compile(using)
        found = [row[:compiler.col_count] for row in found]
        if converters:
            found = compiler.apply_converters(found, converters)
        return [tuple(row) for row in found]


def _run(sql: str, params: list, slots: list[int], compiler, converters, values,
         using: str) -> list:
    """Compiled SQL run with `values` in its placeholders' places; the columns converted
    as the queryset converts them."""
    params = list(params)
    for slot, value in zip(slots, values, strict=True):
        params[slot] = value
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return compiler.apply_converters(found, converters) if converters else found


class Uncacheable(Exception):
    """A condition whose values cannot stand as placeholders (see `shape_of`)."""


# Values that reach a query's parameters unchanged and can be told apart when they are
# placeholders; anything else (a date, an expression, None, a boolean) is not replaced.
_PLACEHOLDER_TYPES = (str, int)


def _placeholder(kind: type, n: int) -> Any:
    return f"\x00placeholder-{n}\x00" if kind is str else -(2 ** 62) - n


def shape_of(q: Q) -> tuple[tuple, list, Q]:
    """A condition taken apart: its shape (the tree of connectors and lookups, with each
    value's type and each list's length: hashable, the same for every condition that
    compiles to the same SQL), its values in order, and the same condition with a
    distinct placeholder in each value's place. Raises Uncacheable for a value of another
    kind (a bool or None changes the SQL; a date or an object may be converted)."""
    values: list = []

    def walk(node: Q) -> tuple[tuple, Q]:
        parts, children = [], []
        for child in node.children:
            if isinstance(child, Q):
                part, rebuilt = walk(child)
            else:
                lookup, value = child
                items = value if isinstance(value, (list, tuple)) else None
                for item in (value,) if items is None else items:
                    if type(item) not in _PLACEHOLDER_TYPES:
                        raise Uncacheable(lookup)
                found = [value] if items is None else list(items)
                marks = [_placeholder(type(v), len(values) + i) for i, v in enumerate(found)]
                values.extend(found)
                part = (lookup, items is None, tuple(type(v).__name__ for v in found))
                rebuilt = (lookup, marks[0] if items is None else marks)
            parts.append(part)
            children.append(rebuilt)
        copy = Q(*children, _connector=node.connector, _negated=node.negated)
        return (node.connector, node.negated, tuple(parts)), copy

    shape, placeholders = walk(q)
    return shape, values, placeholders


class PreparedShapes:
    """Querysets built by `build(condition, start, stop)` compiled once per condition
    shape (`shape_of`), page and database, then run with each request's values: a list
    of records scoped to the caller's units compiles to the same SQL for every caller
    whose scope has the same shape, only the unit paths differ. `objects` answers model
    instances with their annotations, as the queryset would. A shape whose placeholders
    do not all reach the SQL unchanged (once each) raises Uncacheable, and is remembered
    as such."""

    MAX_ENTRIES = 512  # shapes × pages; emptied when full (a few compilations again)

    def __init__(self, build: Callable[[Q, int, int], QuerySet]) -> None:
        self.build = build
        self._compiled: dict[tuple, tuple | None] = {}

    @classmethod
    def kept_on(cls, owner: Any, name: str,
                build: Callable[[Q, int, int], QuerySet]) -> PreparedShapes:
        """The shapes kept on `owner` (a record type) under `name`, made on first use."""
        shapes = owner.__dict__.get(name)
        if shapes is None:
            shapes = cls(build)
            setattr(owner, name, shapes)
        return shapes

    def _compile(self, key: tuple, placeholders: Q, start: int, stop: int,
                 using: str, count: int) -> tuple:
        queryset = self.build(placeholders, start, stop)
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
            params = list(params)
            marks = list(_marks(placeholders))
            if len(marks) != count or compiler.klass_info is None or \
                    compiler.klass_info.get("related_klass_infos"):
                raise ValueError("not a plain list of one model")
            slots = [slot_of(params, mark, sql) for mark in marks]
        except (ValueError, EmptyResultSet) as exc:
            self._remember(key, None)
            raise Uncacheable(str(exc)) from exc
        fields = [s[0] for s in compiler.select[:compiler.col_count]]
        columns = compiler.klass_info["select_fields"]
        compiled = (sql, params, slots, compiler, compiler.get_converters(fields),
                    [compiler.select[i][0].target.attname for i in columns],
                    columns[0], columns[-1] + 1, dict(compiler.annotation_col_map),
                    queryset.model)
        self._remember(key, compiled)
        return compiled

    def _remember(self, key: tuple, compiled: tuple | None) -> None:
        if len(self._compiled) >= self.MAX_ENTRIES:
            self._compiled.clear()
        self._compiled[key] = compiled

    def rows(self, q: Q, start: int, stop: int, light: bool = False) -> list:
        """The rows `build(q, start, stop)` reads: by the SQL compiled for `q`'s shape
        (`objects`), or, for a condition that cannot be compiled so, by the queryset."""
        try:
            return self.objects(shape_of(q), start, stop, light=light)
        except Uncacheable:
            return list(self.build(q, start, stop))

    def objects(self, split: tuple[tuple, list, Q], start: int, stop: int,
                using: str = "default", light: bool = False) -> list:
        """The rows `build(q, start, stop)` reads, for a condition split by `shape_of`:
        model instances, or with `light` plain objects holding the same attributes (the
        columns by their attribute names, the annotations), for a reader that follows no
        relation and calls no method of the model."""
        shape, values, placeholders = split
        key = (shape, start, stop, using)
        compiled = self._compiled.get(key, _ABSENT)
        if compiled is None:
            raise Uncacheable("shape")
        if compiled is _ABSENT:
            compiled = self._compile(key, placeholders, start, stop, using, len(values))
        query, (attnames, first, last, annotations, model) = compiled[:5], compiled[5:]
        rows = _run(*query, values, using)
        if light:
            names = [*attnames, *annotations]
            places = [*range(first, last), *annotations.values()]
            return [Row(zip(names, [row[i] for i in places], strict=True)) for row in rows]
        found = []
        for row in rows:
            obj = model.from_db(using, attnames, row[first:last])
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


_ABSENT = object()


class Row:
    """A record's columns as attributes, without a model instance's making (a tenth of a
    list request): `PreparedShapes.objects(light=True)`."""

    def __init__(self, items) -> None:
        self.__dict__.update(items)


def _marks(q: Q):
    """The placeholders of a condition built by `shape_of`, in order."""
    for child in q.children:
        if isinstance(child, Q):
            yield from _marks(child)
        elif isinstance(child[1], list):
            yield from child[1]
        else:
            yield child[1]


_FETCH: dict[tuple, PreparedShapes] = {}


def fetch(model: type, q: Q, order: tuple = ("pk",), locked: bool = False,
          limit: int | None = None, using: str = "default") -> list:
    """`list(model._base_manager.filter(q).order_by(*order)[:limit])` (with `locked`, the
    rows also locked as `select_for_update()` locks them), by SQL compiled once per shape
    of `q`: the small lookups a record's rules make inside its write, which Django
    compiled anew each time while the write held the database (SQLite) or a row (issue
    10's patrol scan, a single unit's re-evaluation, docs/benchmarks.md). A condition of
    another kind than strings and whole numbers is read by the queryset itself."""
    key = (model, order, locked)
    shapes = _FETCH.get(key)
    if shapes is None:
        def build(cond: Q, start: int, stop: int | None) -> QuerySet:
            qs = model._base_manager.filter(cond).order_by(*order)
            return (qs.select_for_update() if locked else qs)[start:stop]

        shapes = _FETCH.setdefault(key, PreparedShapes(build))
    try:
        return shapes.objects(shape_of(q), 0, limit, using=using)
    except Uncacheable:
        return list(shapes.build(q, 0, limit).using(using))


def first(model: type, q: Q, order: tuple = ("pk",), locked: bool = False,
          using: str = "default"):
    """`model._base_manager.filter(q).order_by(*order).first()`, as `fetch` reads."""
    found = fetch(model, q, order, locked, 1, using)
    return found[0] if found else None


def related(obj: Any, name: str) -> Any:
    """`obj.<name>`, the record its foreign key `name` names, read as Django's descriptor
    reads it (the related model's base manager, the value cached on `obj`, so a second
    `obj.<name>` asks nothing) but by SQL compiled once (`first`)."""
    field = obj._meta.get_field(name)
    if field.is_cached(obj):
        return field.get_cached_value(obj)
    value = getattr(obj, field.attname)
    found = None if value is None else first(
        field.related_model, Q(**{field.target_field.attname: value}),
        using=obj._state.db or "default")
    if found is None and value is not None:
        return getattr(obj, name)  # Django's own answer (DoesNotExist), as before
    field.set_cached_value(obj, found)
    return found
