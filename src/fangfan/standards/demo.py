"""The demo's school calendar of the city, its terms and the public holidays and make-up
school days within them: the standards part of `fangfan.core.demo`."""
from __future__ import annotations

from datetime import date, timedelta

from fangfan.core import services
from fangfan.core.demo import demo_part
from fangfan.core.models import Unit
from fangfan.standards.models import CalendarDay, SchoolTerm

# School terms of the city (常州市), 2025–2026 and 2026–2027 school years.
TERMS = [(2025, 1, "2025-09-01", "2026-01-24"), (2025, 2, "2026-02-23", "2026-07-03"),
         (2026, 1, "2026-09-01", "2027-01-23"), (2026, 2, "2027-02-22", "2027-07-02")]


# The State Council's holiday arrangements (国务院办公厅关于节假日安排的通知) for 2025 and
# 2026, within those school years: (first day, last day, name); and the weekend days
# worked in their place (调休; one outside a term is not a school day). 2027's
# arrangement is not published yet: its 元旦 only.
HOLIDAYS = [("2025-10-01", "2025-10-08", "国庆节、中秋节"), ("2026-01-01", "2026-01-03", "元旦"),
            ("2026-02-15", "2026-02-23", "春节"),
            ("2026-04-04", "2026-04-06", "清明节"), ("2026-05-01", "2026-05-05", "劳动节"),
            ("2026-06-19", "2026-06-21", "端午节"), ("2026-09-25", "2026-09-27", "中秋节"),
            ("2026-10-01", "2026-10-07", "国庆节"), ("2027-01-01", "2027-01-01", "元旦")]
MAKE_UP_DAYS = [("2025-09-28", "国庆节调休"), ("2025-10-11", "国庆节调休"),
                ("2026-01-04", "元旦调休"), ("2026-02-14", "春节调休"),
                ("2026-02-28", "春节调休"), ("2026-05-09", "劳动节调休"),
                ("2026-09-20", "国庆节调休"), ("2026-10-10", "国庆节调休")]


@demo_part(10)
def terms(units: dict[str, Unit]) -> None:
    _load_terms(units["changzhou"])
    _load_calendar_days(units["changzhou"])


def _load_terms(city: Unit) -> None:
    for year, number, start, end in TERMS:
        services.create_record(None, SchoolTerm, {
            "unit": city, "school_year": year, "number": number,
            "starts_on": date.fromisoformat(start), "ends_on": date.fromisoformat(end)})


def _load_calendar_days(city: Unit) -> None:
    days = [(date.fromisoformat(first) + timedelta(days=i), "holiday", name)
            for first, last, name in HOLIDAYS
            for i in range((date.fromisoformat(last) - date.fromisoformat(first)).days + 1)]
    days += [(date.fromisoformat(day), "school_day", name) for day, name in MAKE_UP_DAYS]
    for day, kind, name in days:
        services.create_record(None, CalendarDay, {"unit": city, "date": day, "kind": kind,
                                                   "name": name})
