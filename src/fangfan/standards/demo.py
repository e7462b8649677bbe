"""The demo's school terms of the city: the standards part of `fangfan.core.demo`."""
from __future__ import annotations

from datetime import date

from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit
from fangfan.standards.models import SchoolTerm

# School terms of the city (常州市), 2025–2026 and 2026–2027 school years.
TERMS = [(2025, 1, "2025-09-01", "2026-01-24"), (2025, 2, "2026-02-23", "2026-07-03"),
         (2026, 1, "2026-09-01", "2027-01-23"), (2026, 2, "2027-02-22", "2027-07-02")]


@demo_part(10)
def terms(units: dict[str, Unit]) -> None:
    _load_terms(units["changzhou"])


def _load_terms(city: Unit) -> None:
    for year, number, start, end in TERMS:
        services.create_record(None, SchoolTerm, {
            "unit": city, "school_year": year, "number": number,
            "starts_on": date.fromisoformat(start), "ends_on": date.fromisoformat(end)})
