"""The board's counts kept per unit subtree (inspections.tallies, issue 9): random
sequences of writes by every path leave them equal to a recount, and the board read
from them gives the figures of a direct count of the hazards."""
from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.inspections import board, escalation, gaps, tallies
from fangfan.inspections.models import OPEN_STATUSES, Hazard, HazardStep, HazardTally
from fangfan.resources.models import Person
from fangfan.standards.models import Requirement
from fangfan.standards.signals import Transition

TODAY = timezone.localdate()
STATUSES = ["found", "assigned", "rectified", "returned", "closed"]


def kept() -> dict[tuple[str, str], int]:
    return {(t.unit_path, t.key): t.n for t in HazardTally.objects.exclude(n=0)}


def assert_exact() -> None:
    running = kept()
    tallies.rebuild()
    assert running == kept()


@pytest.fixture
def units(tree):
    other = services.create_unit(None, {"parent": tree["city"], "code": "district-2",
                                         "name": "第二区教育局", "kind": "education_bureau"})
    c = services.create_unit(None, {"parent": other, "code": "school-c", "name": "丙小学",
                                     "kind": "school", "stage": "primary"})
    return {**tree, "other": other, "c": c}


def _day(rng: random.Random, back: int = 200, ahead: int = 0) -> dt.date:
    return TODAY + dt.timedelta(days=rng.randint(-back, ahead))


def _step(hazard: Hazard, kind: str, **extra) -> None:
    services.create_record(None, HazardStep, {"unit": hazard.unit, "hazard": hazard,
                                              "kind": kind, **extra})


def _writes(rng: random.Random, units: dict, people: dict, reqs: list, n: int) -> None:
    """`n` random writes by every path that changes hazards."""
    places = [units["a"], units["b"], units["c"], units["district"]]

    def some(**filters) -> Hazard | None:
        pks = list(Hazard.objects.filter(**filters).values_list("pk", flat=True))
        return Hazard.objects.get(pk=rng.choice(pks)) if pks else None

    def _one(op: int) -> None:
        if op <= 1:  # reported through the services, assigned at once or not, major or not
            unit = rng.choice(places)
            found = _day(rng)
            data = {"unit": unit, "title": "h", "found_on": found,
                    "severity": rng.choice(["general", "general", "major"])}
            if rng.random() < 0.5:
                data |= {"responsible": people[unit.code],
                         "deadline": found + dt.timedelta(days=rng.randint(0, 60))}
            services.create_record(None, Hazard, data)
        elif op == 2 and (h := some(status__in=["found", "assigned", "returned"])):
            _step(h, "assign", responsible=people[h.unit.code],
                  deadline=h.found_on + dt.timedelta(days=rng.randint(0, 90)))
        elif op == 3 and (h := some(status__in=["assigned", "returned"])):
            _step(h, "rectify", note="done")
        elif op == 4 and (h := some(status="rectified")):
            if rng.random() < 0.7:
                _step(h, "verify", done_on=min(TODAY, h.found_on + dt.timedelta(
                    days=rng.randint(0, 60))))
            else:
                _step(h, "return", note="not yet")
        elif op == 5 and (h := some(responsible__isnull=True)):  # moved, or found earlier
            if rng.random() < 0.5:
                others = [u for u in places if u.pk != h.unit_id]
                services.update_record(None, h, {"unit": rng.choice(others)})
            else:
                found = h.found_on - dt.timedelta(days=rng.randint(0, 40))
                services.update_record(None, h, {"found_on": found})
        elif op == 6 and (h := some()):
            services.delete_record(None, h) if rng.random() < 0.5 else \
                Hazard.objects.filter(pk=h.pk).delete()
        elif op == 7:  # straight through the ORM, any state
            unit = rng.choice(places)
            status = rng.choice(STATUSES)
            found = _day(rng)
            deadline = found + dt.timedelta(days=rng.randint(0, 40)) \
                if rng.random() < 0.7 else None
            Hazard.objects.create(
                unit=unit, unit_path=unit.path, title="h", status=status, found_on=found,
                deadline=deadline,
                closed_on=min(TODAY, found + dt.timedelta(days=rng.randint(0, 50)))
                if status == "closed" else None,
                escalated_on=found if rng.random() < 0.3 else None)
        elif op == 8:  # the worker, on some day around today
            escalation.run(TODAY + dt.timedelta(days=rng.randint(-5, 30)))
        elif op == 9 and (h := some()):  # an instance gone stale, then saved
            stale = Hazard.objects.get(pk=h.pk)
            if rng.random() < 0.5:
                escalation._escalate(h, TODAY, "test")
            else:
                Hazard.objects.filter(pk=h.pk).update(title="x")
            if rng.random() < 0.5:
                stale.title = "y"
                stale.save(update_fields=["title"])
            else:
                stale.status = rng.choice(STATUSES)
                stale.closed_on = TODAY if stale.status == "closed" else None
                stale.save()
        elif op == 10:  # compliance gaps raised in bulk
            unit = rng.choice(places[:3])
            gaps.raise_hazards([Transition(unit.pk, unit.path, r.pk, "met", "unmet", 2, 1)
                                for r in rng.sample(reqs, 2)])
        elif op == 11:  # and closed once met again
            unit = rng.choice(places[:3])
            gaps.close_hazards([Transition(unit.pk, unit.path, r.pk, "unmet", "met", 2, 2)
                                for r in reqs])

    for _ in range(n):
        op = rng.randrange(12)
        try:  # a write refused leaves every count as it was
            with transaction.atomic():
                _one(op)
        except ValidationError:
            pass


@pytest.fixture
def people(units):
    return {u.code: services.create_record(None, Person, {"unit": u, "name": "负责人"})
            for u in (units["a"], units["b"], units["c"], units["district"])}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_keep_the_tallies_equal_to_a_recount(units, people, seed, settings):
    settings.FANGFAN_GAP_HAZARDS = True
    reqs = [r for r in Requirement.objects.order_by("pk") if gaps.raises_hazard(r)][:4]
    rng = random.Random(seed)
    for _ in range(4):
        _writes(rng, units, people, reqs, 40)
        assert_exact()
    assert Hazard.objects.count() > 20 and HazardTally.objects.exists()


def test_the_keys_of_one_hazard(units):
    h = Hazard.objects.create(unit=units["a"], unit_path=units["a"].path, title="h",
                              status="closed", found_on=dt.date(2026, 3, 30),
                              deadline=dt.date(2026, 4, 10), closed_on=dt.date(2026, 4, 10),
                              escalated_on=dt.date(2026, 4, 5))
    paths = [units["city"].path, units["district"].path, units["a"].path]
    want = {"total", "found:2026-03", "closed", "closed:2026-04", "closed_with_deadline",
            "on_time"}  # escalated no longer counts once closed
    assert kept() == {(p, k): 1 for p in paths for k in want}
    h.status, h.closed_on = "returned", None
    h.save()
    want = {"total", "found:2026-03", "open", "escalated", "due:2026-04-10"}
    assert kept() == {(p, k): 1 for p in paths for k in want}  # emptied rows removed
    h.delete()
    assert kept() == {}


def test_recount_command(units, capsys):
    Hazard.objects.create(unit=units["b"], unit_path=units["b"].path, title="h",
                          status="found", found_on=TODAY)
    HazardTally.objects.update(n=F("n") + 5)  # drifted, behind the application's back
    call_command("hazard_tallies")
    assert "hazard tallies" in capsys.readouterr().out
    assert kept()[(units["b"].path, "open")] == 1


def _direct(qs, today: dt.date) -> board.Counts:
    """The board's definitions counted straight from the hazards."""
    is_open = Q(status__in=OPEN_STATUSES)
    closed = Q(status="closed")
    got = qs.aggregate(
        total=Count("pk"), open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(deadline__lt=today)),
        escalated=Count("pk", filter=is_open & Q(escalated_on__isnull=False)),
        closed=Count("pk", filter=closed),
        closed_with_deadline=Count("pk", filter=closed & Q(deadline__isnull=False)),
        on_time=Count("pk", filter=closed & Q(deadline__isnull=False,
                                               closed_on__lte=F("deadline"))))
    return board.Counts(**got)


def _subtree(path: str) -> Q:
    from fangfan.core.scoping import path_upper_bound

    return Q(unit_path__gte=path, unit_path__lt=path_upper_bound(path))


@pytest.mark.parametrize("seed", [5, 6])
def test_board_from_tallies_equals_a_direct_count(units, people, make_user, seed, settings):
    settings.FANGFAN_GAP_HAZARDS = True
    rng = random.Random(seed)
    reqs = [r for r in Requirement.objects.order_by("pk") if gaps.raises_hazard(r)][:4]
    for i in range(6):  # more schools, some without hazards
        services.create_unit(None, {"parent": rng.choice([units["district"], units["other"]]),
                                    "code": f"s{i}", "name": f"学校{i}", "kind": "school",
                                    "stage": "primary"})
    _writes(rng, units, people, reqs, 60)
    leaves = list(units["city"].__class__.objects.filter(kind="school"))
    for _ in range(150):
        unit = rng.choice(leaves)
        status = rng.choice(STATUSES)
        found = _day(rng, 250)
        Hazard.objects.create(
            unit=unit, unit_path=unit.path, title="h", status=status, found_on=found,
            deadline=found + dt.timedelta(days=rng.randint(0, 30))
            if rng.random() < 0.8 else None,
            closed_on=found + dt.timedelta(days=rng.randint(0, 40))
            if status == "closed" else None,
            escalated_on=found if rng.random() < 0.2 else None)
    root = make_user(Role.SUPERVISOR, units["city"])
    school = make_user(Role.UNIT_ADMIN, units["a"], username="partial")
    services.grant_role(None, school, units["c"], Role.UNIT_ADMIN)
    services.grant_role(None, school, Hazard.objects.first().unit, Role.UNIT_ADMIN)
    elsewhere = make_user(Role.UNIT_ADMIN, units["b"], username="elsewhere")
    hazards = Hazard.objects.all()
    for today in (TODAY, TODAY - dt.timedelta(days=17), TODAY + dt.timedelta(days=9)):
        for user, top in ((root, units["city"]), (root, units["district"]),
                          (root, units["a"]), (school, units["city"]),
                          (school, units["district"]), (elsewhere, units["other"])):
            seen = hazards.filter(board.permissions.restrict(
                user, "view", board.registry.get("hazards")))
            built = board.build(user, top, today=today, size=3)
            assert built.totals == _direct(seen.filter(_subtree(top.path)), today)
            for m in built.trend:
                end = board._next_month(m.start)
                assert (m.found, m.closed) == (
                    seen.filter(_subtree(top.path), found_on__gte=m.start,
                                found_on__lt=end).count(),
                    seen.filter(_subtree(top.path), status="closed",
                                closed_on__gte=m.start, closed_on__lt=end).count())
            ranked = []
            for page in range(1, built.page.paginator.num_pages + 1):
                part = board.build(user, top, {"page": page}, today=today, size=3)
                for r in part.page.object_list:
                    assert r.counts == _direct(seen.filter(_subtree(r.path)), today), r.code
                    ranked.append((-r.counts.overdue, -r.counts.escalated, -r.counts.open,
                                   r.name))
            assert ranked == sorted(ranked)  # worst first


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite admits one writer at a time: writers cannot overlap there")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_add_up(units):
    """Writers on the same school (the same rows up to the city) at once: each adds its
    difference to the stored count under the row's lock, none overwrites another's."""
    unit = units["a"]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def job(seed: int) -> None:
        from django.db import connections

        try:
            rng = random.Random(seed)
            start.wait(10)
            for _ in range(15):
                with transaction.atomic():
                    h = Hazard.objects.create(unit=unit, unit_path=unit.path, title="h",
                                              status="assigned", found_on=TODAY,
                                              deadline=TODAY - dt.timedelta(days=3))
                    if rng.random() < 0.5:
                        h.status, h.closed_on = "closed", TODAY
                        h.save()
                escalation.run(TODAY)
        except BaseException as exc:  # noqa: BLE001 — reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert kept()[(units["city"].path, "total")] == 60
    assert_exact()
