"""The measures of each alert level (R-ALERT, seed 000 §五.3 非常态反恐怖防范), in
Fangfan's words, with the unit's own numbers. Each level includes the measures of the
levels below it; the leader on duty and the guard force of a higher level replace the
lower level's (a deputy head leading includes the security head's duty). The texts are
written in the reader's language when shown, from the numbers kept on the unit's alert
(`UnitAlert`), so a measure reads the same in Chinese and English."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangfan.alerts.models import Level, MeasureCode

M = MeasureCode
# Every measure in checklist order (its number), with the level that first asks for it.
ORDER: list[tuple[str, int]] = [
    (M.LEAD, 3), (M.GUARDS, 3), (M.COMMS, 3), (M.ENTRANCES, 3), (M.CHECKS, 3),
    (M.LIAISON, 3),
    (M.CORDON, 2), (M.SIDE_GATES, 2), (M.DOUBLE_POSTS, 2), (M.KEY_POSTS, 2),
    (M.EQUIPMENT, 2),
    (M.HQ, 1), (M.KEY_TWO, 1), (M.PATROLS, 1), (M.OUTER, 1), (M.SEARCH, 1),
    (M.READINESS, 1),
]
NUMBER = {code: i for i, (code, _level) in enumerate(ORDER, start=1)}
# Measures whose wording or numbers depend on the level: done again after a change.
BY_LEVEL = {M.LEAD, M.GUARDS}
# The extra guard force of each level over the normal one, in percent (R-ALERT).
EXTRA_PERCENT = {3: 30, 2: 50, 1: 100}


def codes(level: int) -> list[str]:
    """The measures of `level` (3, 2 or 1), lower levels' included."""
    return [code for code, first in ORDER if level <= first]


def guards_required(level: int, baseline: int | None) -> int | None:
    """R-ALERT: ceil(1.3·B) at level III, ceil(1.5·B) at level II, 2·B at level I, in
    whole numbers (the same formulas as the seed pack's CEL and the SQL of a change)."""
    if baseline is None:
        return None
    if level == Level.ONE:
        return 2 * baseline
    if level == Level.TWO:
        return (3 * baseline + 1) // 2
    return (13 * baseline + 9) // 10


def text(code: str, alert) -> str:
    """The measure `code` for the unit under `alert` (a UnitAlert), in words."""
    level, b, n, k = alert.level, alert.baseline, alert.guards_required, alert.key_locations
    if code == M.LEAD:
        return {3: _("The security head leads the duty."),
                2: _("A deputy head leads the duty."),
                1: _("The head leads the duty around the clock (24 hours).")}[level]
    if code == M.GUARDS:
        if n is None:
            return _("At least %(extra)s%% more guards on duty than normally (the normal "
                     "guard force is not known).") % {"extra": EXTRA_PERCENT[level]}
        return _("At least %(n)s guards on duty: the normal %(b)s plus at least "
                 "%(extra)s%%.") % {"n": n, "b": b, "extra": EXTRA_PERCENT[level]}
    if code == M.KEY_POSTS:
        return _("Guards posted at each of the %(k)s key locations, with strict checks of "
                 "who enters and what is carried in.") % {"k": k}
    if code == M.KEY_TWO:
        return _("At least 2 guards at every key location: %(k)s key locations, at least "
                 "%(g)s guards.") % {"k": k, "g": 2 * k}
    return str(FIXED[code])


FIXED = {
    M.COMMS: gettext_lazy(
        "Communications with the authority and the police kept open at all times."),
    M.ENTRANCES: gettext_lazy(
        "Entrance control tightened; key locations watched and patrolled more often."),
    M.CHECKS: gettext_lazy(
        "Suspicious people, vehicles and items checked; nothing unrelated taken into key "
        "locations."),
    M.LIAISON: gettext_lazy("The local police and authorities contacted for guidance."),
    M.CORDON: gettext_lazy("A cordoned area set up."),
    M.SIDE_GATES: gettext_lazy("Entrances other than the main ones closed."),
    M.DOUBLE_POSTS: gettext_lazy("Double posts at the main entrances."),
    M.EQUIPMENT: gettext_lazy(
        "Protective and response equipment and facilities on standby."),
    M.HQ: gettext_lazy("The counter-terrorism command HQ activated."),
    M.PATROLS: gettext_lazy(
        "Guards hold their posts and patrol without a break, 24 hours a day."),
    M.OUTER: gettext_lazy(
        "An outer cordon with guards around the premises and barriers at the main "
        "entrances; inside and around watched closely."),
    M.SEARCH: gettext_lazy(
        "A thorough check of the premises — key locations, items, vehicles and equipment; "
        "nobody unrelated let in."),
    M.READINESS: gettext_lazy(
        "Responsible units, emergency forces and equipment ready for action."),
}


# Measures whose state Fangfan also reads from the unit's records: {measure: (fact, fact
# of its limit)}, met when the first is at most the second. The facts are named, read
# through the standards' registry, so alerts import no app that keeps those records (the
# patrols app reads the alerts: the dependency runs one way). Shown beside the manual tick,
# never ticking it (docs/alerts.md).
COMPUTED = {M.PATROLS: ("alert_patrol_gap_hours", "alert_patrol_gap_limit_hours")}


def computed(alert, codes) -> dict[str, dict]:
    """{measure: {"met", "text"}} for the measures among `codes` that are read from
    records, for the unit under `alert` while its level is in force (one family's
    queries; nothing when the app that keeps the records is not installed)."""
    from fangfan.standards.facts import FACTS, compute_unit

    wanted = {c: COMPUTED[c] for c in codes if c in COMPUTED}
    names = {n for pair in wanted.values() for n in pair}
    if not wanted or not names <= set(FACTS) or not alert.order.in_force():
        return {}
    values = compute_unit(alert.unit_path, names).get(alert.unit_path, {})
    return {code: _state(values.get(fact), values.get(limit))
            for code, (fact, limit) in wanted.items()}


def _hours(value: float) -> str:
    return f"{round(value, 1):g}"


def _state(gap: float | None, limit: float | None) -> dict:
    if gap is None or limit is None:
        return {"met": None, "text": _("From the patrol records: not known yet.")}
    met = gap <= limit
    words = {"gap": _hours(gap), "limit": _hours(limit)}
    return {"met": met, "text": (
        _("From the patrol records: at most %(gap)s h without a patrol scan (%(limit)s h "
          "allowed).") if met else
        _("From the patrol records: %(gap)s h without a patrol scan, more than the "
          "%(limit)s h allowed.")) % words}
