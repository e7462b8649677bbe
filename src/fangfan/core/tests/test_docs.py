"""The documented permission table is the one the code enforces."""
from pathlib import Path

from django.utils import translation

from fangfan.core import registry
from fangfan.core.permissions import markdown_table

DOC = Path(__file__).resolve().parents[4] / "docs" / "permissions.md"


def test_permission_table_in_docs_matches_code():
    with translation.override("en"):
        table = markdown_table(registry.record_types())
    assert table in DOC.read_text(encoding="utf-8"), (
        "docs/permissions.md is stale: paste `fangfan permissions --markdown` into it")
