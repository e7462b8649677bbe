"""Patrolling (OPS-2): starting a round from the phone, scanning its checkpoints,
finishing it, and the worker's count of missed and late checkpoints once a round has
ended. Every write goes through core.services, so the scan refusals of the models
(another unit, another route, an ended round, a repeat) hold for page, API and import."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fangfan.core import evidence, notify, services
from fangfan.core.prepared import Prepared, first, related
from fangfan.core.registry import RecordServices
from fangfan.patrols.models import (
    Checkpoint,
    PatrolRound,
    PatrolRoute,
    PatrolScan,
    RoundStatus,
    normalise_code,
)
from fangfan.resources.models import Person

# How far back the worker makes the rounds nobody started (a worker down for a night
# still counts them when it is back).
LOOKBACK = dt.timedelta(days=2)


def person_at(user, unit_id: int) -> Person | None:
    """The signed-in user's person when it is of this unit (a user of several units is
    someone else's guard elsewhere)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    person = first(Person, Q(user_id=user.pk))  # as `person_of`, compiled once
    return person if person is not None and person.unit_id == unit_id else None


def window_at(route: PatrolRoute, now: dt.datetime) -> dt.datetime | None:
    """The due time of the route's round whose window (from a tolerance before its time
    to its end) contains `now`, if any."""
    today = timezone.localdate(now)
    for day in (today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)):
        for due in route.due_times(day):
            if due - route.tolerance <= now <= due + 2 * route.tolerance:
                return due
    return None


def next_due(route: PatrolRoute, now: dt.datetime) -> dt.datetime | None:
    """The next due time of the route at or after `now` (today or tomorrow)."""
    today = timezone.localdate(now)
    for day in (today, today + dt.timedelta(days=1)):
        for due in route.due_times(day):
            if due >= now:
                return due
    return None


@transaction.atomic
def start(actor, route: PatrolRoute, now: dt.datetime | None = None) -> PatrolRound:
    """The round of the route due now, started by the actor (made if the worker has not
    made it yet; a round already started is joined: two guards may walk it)."""
    now = now or timezone.now()
    if not route.active:
        raise ValidationError(_("This route is not in use."))
    due = window_at(route, now)
    if due is None:
        nxt = next_due(route, now)
        if nxt is None:
            raise ValidationError(_("This route has no times of day."))
        raise ValidationError(_(
            "No round of this route is due now: the next is at %(time)s, and can be "
            "started from %(start)s.") % {
            "time": f"{timezone.localtime(nxt):%H:%M}",
            "start": f"{timezone.localtime(nxt - route.tolerance):%H:%M}"})
    rnd = PatrolRound.objects.select_for_update().filter(route=route, due_at=due).first()
    if rnd is None:
        rnd = services.create_following(actor, PatrolRound, {
            "unit": route.unit, "route": route, "due_at": due})
    if rnd.is_finished:
        raise ValidationError(_("This round has ended: the next is at %(time)s.") % {
            "time": _next_time(route, rnd.ends_at)})
    if rnd.status == RoundStatus.DUE:
        services.update_following(actor, rnd, {
            "status": RoundStatus.WALKING, "started_at": now,
            "started_by": person_at(actor, route.unit_id)})
    return rnd


def _next_time(route: PatrolRoute, after: dt.datetime) -> str:
    nxt = next_due(route, after)
    return f"{timezone.localtime(nxt):%H:%M}" if nxt else "—"


def checkpoint_for(code: str) -> Checkpoint:
    """The checkpoint a typed or scanned code names; ValidationError if none."""
    code = normalise_code(code)
    point = Checkpoint.objects.select_related("route", "location").filter(tag=code).first() \
        if code else None
    if point is None:
        raise ValidationError({"code": _("No checkpoint has this code: check it and try "
                                         "again.")})
    return point


@transaction.atomic
def scan(actor, rnd: PatrolRound, code: str, note: str = "", photos: list | None = None,
         now: dt.datetime | None = None) -> PatrolScan:
    """Record a checkpoint of the round by its code, with the note and photos; the
    round finishes itself when its last checkpoint is scanned."""
    rnd = PatrolRound.objects.select_for_update().select_related("route").get(pk=rnd.pk)
    point = checkpoint_for(code)
    if point.unit_id != rnd.unit_id:
        # Said before anything else: the route is not this unit's either.
        raise ValidationError({"code": _("This checkpoint belongs to another unit.")})
    record = services.create_record(actor, PatrolScan, {
        "unit": rnd.unit, "round": rnd, "checkpoint": point,
        "scanned_at": now or timezone.now(), "note": note.strip()[:500]})
    for upload in photos or []:
        evidence.attach(actor, record, upload, action="add")
    return record


# A checkpoint of the route not yet scanned in the round (a scan's write asks it while it
# holds the database: compiled once, as the scan's other lookups, `prepared.first`).
_UNSCANNED = Prepared(lambda route, rnd: Checkpoint.objects.filter(route_id=route).exclude(
    scans__round_id=rnd).order_by().values_list("pk")[:1], -7_000_000_201, -7_000_000_202)


def advance(actor, record: PatrolScan) -> None:
    """The round follows its scans, however they came (the phone page or the API): the
    first starts it, the one of its last checkpoint finishes it. The round is locked
    first, so of two guards scanning its last two checkpoints at once the second sees
    the first's scan and finishes it."""
    rnd = first(PatrolRound, Q(pk=record.round_id), locked=True)
    if rnd is None:
        raise PatrolRound.DoesNotExist
    if rnd.status == RoundStatus.DUE:
        rnd = services.update_following(actor, rnd, {
            "status": RoundStatus.WALKING, "started_at": record.scanned_at,
            "started_by": related(record, "person")})
    if not _UNSCANNED.rows(rnd.route_id, rnd.pk):
        finish(actor, rnd, record.scanned_at)


def finish(actor, rnd: PatrolRound, now: dt.datetime | None = None) -> PatrolRound:
    """End the round: no further scan; the worker counts it when its window ends."""
    if rnd.is_finished:
        raise ValidationError(_("This round has already ended."))
    return services.update_following(actor, rnd, {
        "status": RoundStatus.FINISHED, "finished_at": now or timezone.now()})


def progress(rnd: PatrolRound) -> list[dict[str, Any]]:
    """The route's checkpoints in order with their scan in the round (or none)."""
    scans = {s.checkpoint_id: s for s in rnd.scans.select_related("person")}
    return [{"checkpoint": c, "scan": scans.get(c.pk)}
            for c in rnd.route.checkpoints.select_related("location")]


# --- the worker ---------------------------------------------------------------------

def make_due_rounds(now: dt.datetime) -> int:
    """Make the rounds whose window has ended and that nobody started (so they are
    counted as missed), for each active route since it was set up."""
    made = 0
    today = timezone.localdate(now)
    days = [today - dt.timedelta(days=d) for d in range(LOOKBACK.days, -1, -1)]
    for route in PatrolRoute.objects.filter(active=True).select_related("unit"):
        have = set(route.rounds.filter(due_at__gte=now - LOOKBACK - dt.timedelta(days=1))
                   .values_list("due_at", flat=True))
        for day in days:
            for due in route.due_times(day):
                ended = due + 2 * route.tolerance
                if due in have or ended >= now or due < route.created_at \
                        or due < now - LOOKBACK:
                    continue
                services.create_following(None, PatrolRound, {
                    "unit": route.unit, "route": route, "due_at": due})
                made += 1
    return made


def check_rounds(now: dt.datetime | None = None) -> int:
    """Count the missed and late checkpoints of each round whose window has ended, once:
    each round is claimed by an UPDATE first (two workers never count it twice), then
    its result is written and the unit's leads told of missed checkpoints."""
    now = now or timezone.now()
    make_due_rounds(now)
    counted = 0
    candidates = PatrolRound.objects.filter(checked_at__isnull=True, due_at__lt=now) \
        .select_related("route", "unit")
    for rnd in candidates:
        if rnd.ends_at >= now:  # a scan at its last minute is still taken
            continue
        if not PatrolRound.objects.filter(pk=rnd.pk, checked_at__isnull=True).update(
                checked_at=now):
            continue
        with transaction.atomic():
            _count(rnd, now)
        counted += 1
    return counted


def _count(rnd: PatrolRound, now: dt.datetime) -> None:
    scans = list(rnd.scans.values_list("checkpoint_id", "late"))
    scanned = {c for c, _late in scans}
    points = list(Checkpoint.objects.filter(route_id=rnd.route_id)
                  .values_list("pk", flat=True))
    missed = sum(1 for pk in points if pk not in scanned)
    late = sum(1 for _c, is_late in scans if is_late)
    rnd.checked_at = now
    changes = {"missed": missed, "late": late}
    if not rnd.is_finished:
        changes.update(status=RoundStatus.FINISHED, finished_at=rnd.ends_at)
    services.update_following(None, rnd, changes)
    if missed:
        _tell(rnd, missed)


def _tell(rnd: PatrolRound, missed: int) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = ngettext(
            "Patrol %(route)s at %(time)s: %(n)s checkpoint missed",
            "Patrol %(route)s at %(time)s: %(n)s checkpoints missed", missed) % {
            "route": rnd.route.name, "n": missed,
            "time": f"{timezone.localtime(rnd.due_at):%m-%d %H:%M}"}
    notify.notify_unit_leads(rnd.unit_id, rnd.unit_path, title,
                             link=rnd.get_absolute_url())


class RoundServices(RecordServices):
    """A round added by hand (an extra patrol) is due ahead, not in the past; its
    follow-up records who wrote it."""

    def before_save(self, actor, obj: PatrolRound, before: dict[str, Any] | None) -> None:
        if before is None and actor is not None and obj.due_at and obj.route_id and \
                obj.due_at + 2 * obj.route.tolerance < timezone.now():
            raise ValidationError({"due_at": _(
                "This round's time has passed: a round is added before it ends.")})
        if before is not None and obj.review != before.get("review", ""):
            obj.reviewed_by = actor


class ScanServices(RecordServices):
    """A scan is stamped with who wrote it (and the guard, when the API did not name
    one) and moves its round on (`advance`)."""

    def before_save(self, actor, obj: PatrolScan, before: dict[str, Any] | None) -> None:
        if before is None:
            obj.by = actor
            if obj.person_id is None and obj.unit_id:
                obj.person = person_at(actor, obj.unit_id)

    def after_save(self, actor, obj: PatrolScan, before: dict[str, Any] | None) -> None:
        if before is None:
            advance(actor, obj)


FOLLOW_UP = gettext_lazy("Follow up")
