"""A single unit's facts (`facts.compute_unit`: SQL built once, the `minute` families'
once a minute) equal the bulk computation's, for every unit of the demo."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from fangfan.core.models import Unit
from fangfan.standards import facts


def _bulk_at(path: str, at) -> dict:
    frozen = facts._FROZEN.set(at)
    try:
        return facts.compute(Q(unit_path=path))
    finally:
        facts._FROZEN.reset(frozen)


def test_one_unit_equals_the_bulk_for_every_demo_unit(db):
    call_command("demo")
    minute_families = [name for name, f in facts.FAMILIES.items() if f.minute]
    assert len(minute_families) >= 10
    for path in Unit.objects.values_list("path", flat=True):
        for _attempt in range(2):  # the minute may turn between the two
            at = timezone.now().replace(second=0, microsecond=0)
            one, bulk = facts.compute_unit(path), _bulk_at(path, at)
            if timezone.now().replace(second=0, microsecond=0) == at:
                break
        assert one == bulk, path


def test_the_minute_families_are_built_once_a_minute(tree, monkeypatch):
    """Within a minute the `minute` families' SQL is built once and kept; the next
    minute builds it again, for that minute."""
    school = tree["a"]
    start = timezone.now().replace(second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(seconds=5))
    facts._minute_sqls = (None, {})
    facts.compute_unit(school.path)
    at, built = facts._minute_sqls
    minute = {n for n, f in facts.FAMILIES.items() if f.minute}
    assert at == start and {key[1] for key in built
                            if key[1] not in ("rows", "plan")} == minute
    # every other clock family reads through `facts.rows`, its reads named after it
    others = {n for n, f in facts.FAMILIES.items() if f.clock and not f.minute}
    assert {key[2].split(".")[0] for key in built if key[1] == "rows"} == others
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(seconds=50))
    facts.compute_unit(school.path)
    assert facts._minute_sqls[1] is built  # the same minute: kept
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(seconds=65))
    facts.compute_unit(school.path)
    assert facts._minute_sqls[0] == start + dt.timedelta(minutes=1)
    assert facts._minute_sqls[1] is not built


@pytest.mark.parametrize("name", sorted(n for n, f in facts.FAMILIES.items() if f.minute))
def test_a_minute_family_names_the_unit_once(name, db):
    from django.db import connection

    read = facts._unit_sql(name, None, timezone.now())
    sql, params, [slot], *_rest = read._compiled[connection.alias]
    assert params[slot] == facts._SLOT and params.count(facts._SLOT) == 1


def test_a_unit_s_reads_go_together_on_postgresql(db):
    """Within a minute, a unit's next evaluation fetches the reads the last one made in
    one round trip on PostgreSQL (each statement is one there); on SQLite one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("demo")
    school = Unit.objects.filter(kind="school").order_by("path").first()
    facts.compute_unit(school.path)  # learns the reads (a new minute: all of them)
    for _attempt in range(2):  # the minute may turn in between
        with CaptureQueriesContext(connection) as queries:
            values = facts.compute_unit(school.path)
        if len(queries) < 10:
            break
    reads = facts._minute_sqls[1][(connection.alias, "plan", None)]
    assert len(reads) >= len(facts.FAMILIES) and values
    together = [q for q in queries if q["sql"].count(";\n") == len(reads) - 1]
    if connection.vendor == "postgresql":
        # beside them only what the families read apart (the terms, the calendar)
        assert len(together) == 1 and len(queries) <= 3
    else:
        assert not together and len(queries) > len(reads)
