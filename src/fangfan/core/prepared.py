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

from django.db import connections
from django.db.models import QuerySet


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

    def _compile(self, using: str) -> tuple:
        with self._lock:
            if using not in self._compiled:
                compiler = self.build(*self.placeholders).query.get_compiler(using=using)
                sql, params = compiler.as_sql()
                params = list(params)
                slots = [slot_of(params, value, sql) for value in self.placeholders]
                fields = [s[0] for s in compiler.select[:compiler.col_count]]
                self._compiled[using] = (sql, params, slots, compiler,
                                         compiler.get_converters(fields))
        return self._compiled[using]

    def rows(self, *values: Any, using: str = "default") -> list[tuple]:
        compiled = self._compiled.get(using) or self._compile(using)
        sql, params, slots, compiler, converters = compiled
        params = list(params)
        for slot, value in zip(slots, values, strict=True):
            params[slot] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        if converters:
            found = compiler.apply_converters(found, converters)
        return [tuple(row) for row in found]
