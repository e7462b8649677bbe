"""The synthetic data generator makes consistent, realistic, fictitious data."""
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from fangfan.core import audit
from fangfan.core.models import Unit
from fangfan.resources.models import Asset, Location, Person


def test_generate_small_tree(db, capsys):
    call_command("generate", units=5, seed=1)
    leaves = Unit.objects.filter(code__startswith="syn-u")
    assert leaves.count() == 5
    for model in (Person, Location, Asset):
        for row in model.objects.values("unit_path", "unit__path"):
            assert row["unit_path"] == row["unit__path"]
    for unit in Unit.objects.exclude(parent=None):
        assert unit.path.startswith(unit.parent.path) and len(unit.path) == \
            len(unit.parent.path) + 8
    counts = {}
    for model in (Person, Location, Asset):
        for row in model.objects.values("unit").annotate(n=Count("id")):
            counts[row["unit"]] = counts.get(row["unit"], 0) + row["n"]
    assert all(80 <= n <= 120 for n in counts.values()) and len(counts) == 5
    assert all(re.fullmatch(r"1380000\d{4}", p)
               for p in Person.objects.values_list("phone", flat=True))
    assert audit.verify() is None
    assert "5 units" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already exists"):
        call_command("generate", units=1)
