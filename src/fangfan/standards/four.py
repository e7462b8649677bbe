"""The "four 100%" rates of seed 004 and the deadlines of R-DEADLINE over a subtree."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.standards.models import Status, Tally

SCHOOL_STAGES = {"primary", "secondary", "kindergarten"}
TARGETS = [("four:closed", _("Closed campus management")),
           ("four:net", _("One-key alarm and video networked to the police")),
           ("four:posts", _("School-guard posts (护学岗)"))]


def four_rates(tallies: list[Tally], staff: set[int]) -> list[dict]:
    """(label, reached, known, total) for each of the four targets over the schools: full-
    time guards from R-STAFF, the other three from the facts R-DEADLINE carries."""
    def count(keys: set[str]) -> tuple[int, int, int]:
        rows = [t for t in tallies if t.key in keys and t.stage in SCHOOL_STAGES]
        yes = sum(t.n for t in rows if t.status == Status.MET)
        known = sum(t.n for t in rows if t.status != Status.UNKNOWN)
        return yes, known, sum(t.n for t in rows)

    rows = [(_("Full-time guards to standard"), *count({str(pk) for pk in staff}))]
    rows += [(label, *count({key})) for key, label in TARGETS]
    return [{"label": label, "yes": yes, "known": known, "total": n,
             "rate": round(100 * yes / n, 1) if n else None}
            for label, yes, known, n in rows]


DEADLINES = [
    (_("Primary and secondary schools"), lambda t: t.stage in ("primary", "secondary"),
     dt.date(2020, 3, 31)),
    (_("City kindergartens"), lambda t: t.stage == "kindergarten" and t.locale == "city",
     dt.date(2020, 3, 31)),
    (_("Town kindergartens"), lambda t: t.stage == "kindergarten" and t.locale == "town",
     dt.date(2020, 12, 31)),
    (_("Rural kindergartens"), lambda t: t.stage == "kindergarten" and t.locale == "rural",
     dt.date(2021, 12, 31)),
]


def deadlines(tallies: list[Tally], deadline: set[int]) -> list[dict]:
    """R-DEADLINE per group: how many units meet the targets, and whether it has passed."""
    today = timezone.localdate()
    keys = {str(pk) for pk in deadline}
    out = []
    for label, where, due in DEADLINES:
        rows = [t for t in tallies if t.key in keys and where(t)]
        agg = {s: sum(t.n for t in rows if t.status == s)
               for s in (Status.MET, Status.UNMET, Status.UNKNOWN)}
        out.append({"label": label, "due": due, "passed": today > due,
                    "total": sum(agg.values()), **agg})
    return out
