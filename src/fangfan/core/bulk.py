"""Plain INSERTs for derived data written in bulk (results, tallies): bulk_create builds
a model instance and prepares every field of every row one by one, which costs more than
the database for a province's million rows. Callers pass values already in database form
(see Field.get_db_prep_save for JSON and dates); nothing here validates or audits."""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

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
