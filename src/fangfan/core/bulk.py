"""Plain INSERTs for derived data written in bulk (results, tallies): bulk_create builds
a model instance and prepares every field of every row one by one, which costs more than
the database for a province's million rows. Callers pass values already in database form
(see Field.get_db_prep_save for JSON and dates); nothing here validates or audits."""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence

from django.db import connection, models


def insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence],
           batch: int = 5000) -> None:
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    rows = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, batch)):
            cursor.executemany(sql, chunk)


def delete(model: type[models.Model], ids: Iterable[int], batch: int = 500) -> None:
    """Plain DELETEs of rows by id, `batch` at a time (derived rows found to be gone)."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        for part in chunks(list(ids), batch):
            cursor.execute(f"DELETE FROM {table} WHERE {pk} IN "
                           f"({', '.join(['%s'] * len(part))})", part)


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    """`items` in slices of `size` (an IN list or a batch of rows at a time)."""
    for i in range(0, len(items), size):
        yield items[i:i + size]
