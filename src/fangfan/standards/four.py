"""The "four 100%" rates of seed 004 and the deadlines of R-DEADLINE over a subtree."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangfan.standards.models import Result, Status

SCHOOL = Q(unit__stage__in=["primary", "secondary", "kindergarten"])


def four_rates(results: QuerySet[Result]) -> list[dict]:
    """(label, reached, known, total) for each of the four targets over the schools. The
    R-DEADLINE results carry the facts of the last three targets."""
    staff = results.filter(SCHOOL, requirement__ref="R-STAFF").aggregate(
        total=Count("id"), yes=Count("id", filter=Q(status=Status.MET)),
        known=Count("id", filter=~Q(status=Status.UNKNOWN)))
    tally = {"closed": [0, 0], "net": [0, 0], "posts": [0, 0]}
    total = 0
    for facts in results.filter(SCHOOL, requirement__ref="R-DEADLINE").values_list(
            "facts", flat=True).iterator(chunk_size=5000):
        total += 1
        for key, value in (
            ("closed", facts.get("closed_management")),
            ("net", None if None in (facts.get("gate_alarm_networked"),
                                     facts.get("video_police_networked"))
             else facts["gate_alarm_networked"] and facts["video_police_networked"]),
            ("posts", None if facts.get("hu_xue_gang_posts") is None
             else facts["hu_xue_gang_posts"] >= 1),
        ):
            if value is not None:
                tally[key][1] += 1
                tally[key][0] += bool(value)
    rows = [
        (_("Full-time guards to standard"), staff["yes"], staff["known"], staff["total"]),
        (_("Closed campus management"), *tally["closed"], total),
        (_("One-key alarm and video networked to the police"), *tally["net"], total),
        (_("School-guard posts (护学岗)"), *tally["posts"], total),
    ]
    return [{"label": label, "yes": yes, "known": known, "total": n,
             "rate": round(100 * yes / n, 1) if n else None}
            for label, yes, known, n in rows]


DEADLINES = [
    (_("Primary and secondary schools"), Q(unit__stage__in=["primary", "secondary"]),
     dt.date(2020, 3, 31)),
    (_("City kindergartens"), Q(unit__stage="kindergarten", unit__locale="city"),
     dt.date(2020, 3, 31)),
    (_("Town kindergartens"), Q(unit__stage="kindergarten", unit__locale="town"),
     dt.date(2020, 12, 31)),
    (_("Rural kindergartens"), Q(unit__stage="kindergarten", unit__locale="rural"),
     dt.date(2021, 12, 31)),
]


def deadlines(results: QuerySet[Result]) -> list[dict]:
    """R-DEADLINE per group: how many units meet the targets, and whether it has passed."""
    today = timezone.localdate()
    out = []
    qs = results.filter(requirement__ref="R-DEADLINE")
    for label, where, due in DEADLINES:
        agg = qs.filter(where).aggregate(
            total=Count("id"), met=Count("id", filter=Q(status=Status.MET)),
            unmet=Count("id", filter=Q(status=Status.UNMET)),
            unknown=Count("id", filter=Q(status=Status.UNKNOWN)))
        out.append({"label": label, "due": due, "passed": today > due, **agg})
    return out
