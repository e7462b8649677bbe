"""Evaluation from records: facts in bulk, stored results, incremental re-evaluation."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import transaction

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.resources.models import Asset, Location, Person
from fangfan.standards import engine, facts
from fangfan.standards.models import Evaluation, Pack, PackActivation, Result


def staff_result(unit):
    return Result.objects.get(unit=unit, requirement__ref="R-STAFF")


def test_no_records_means_unknown(tree):
    engine.evaluate_subtree([tree["a"].path])
    res = staff_result(tree["a"])
    assert res.status == "unknown" and res.reason == "guards_full_time"
    assert res.required == 2 and res.actual is None


def test_results_from_records_and_facts_in_bulk(tree, django_assert_max_num_queries):
    for i in range(2):
        services.create_record(None, Person, {"unit": tree["a"], "name": f"保安{i}",
                                              "is_guard": True, "full_time": i == 0})
    gate = services.create_record(None, Location, {"unit": tree["a"], "name": "校门",
                                                   "kind": "main_gate", "is_key": True,
                                                   "is_main_entrance": True})
    services.create_record(None, Asset, {"unit": tree["a"], "category": "recorder",
                                         "retention_days": 45})
    services.create_record(None, Asset, {"unit": tree["a"], "category": "recorder",
                                         "retention_days": 20, "status": "retired"})
    services.create_record(None, Asset, {"unit": tree["a"], "category": "lighting",
                                         "location": gate, "quantity": 20})
    from django.db.models import Q

    # the queries each family declares (one grouped query, or a few beside it), and the
    # school terms read once (R-SUPV's semesters): the same for any number of units
    with django_assert_max_num_queries(sum(f.queries for f in facts.FAMILIES.values()) + 1):
        values = facts.compute(Q(unit_path__startswith=tree["city"].path))
    a = values[tree["a"].path]
    assert (a["guards_total"], a["guards_full_time"]) == (2, 1)
    assert a["video_retention_days_min"] == 45 and a["lighting_working_ratio"] == 1.0
    assert tree["b"].path not in values

    call_command("standards", "evaluate", "--unit", "district")
    res = staff_result(tree["a"])
    assert (res.status, res.required, res.actual) == ("unmet", 2, 1)
    assert res.facts == {"guards_full_time": 1}
    retain = Result.objects.get(unit=tree["a"], requirement__ref="R-RETAIN")
    assert (retain.status, retain.actual) == ("met", 45)
    assert staff_result(tree["b"]).status == "unknown"
    assert Result.objects.get(unit=tree["district"], requirement__ref="R-STAFF").status == \
        "not_applicable"


def test_record_change_reevaluates_the_unit(tree, django_capture_on_commit_callbacks):
    engine.evaluate_subtree([tree["city"].path])
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(2):
            services.create_record(None, Person, {"unit": tree["a"], "name": f"保安{i}",
                                                  "is_guard": True})
    res = staff_result(tree["a"])
    assert (res.status, res.actual) == ("met", 2)
    assert staff_result(tree["b"]).status == "unknown"
    guard = Person.objects.filter(unit=tree["a"]).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_record(None, guard, {"full_time": False})
    assert staff_result(tree["a"]).status == "unmet"


def test_a_queue_that_fails_does_not_fail_the_committed_write(
        tree, unit_admin, api_client, monkeypatch, caplog,
        django_capture_on_commit_callbacks):
    """The re-evaluation is queued on commit: a queue that cannot take it (SQLite's queue
    busy, Redis gone) is logged, and the client is told its stored write succeeded, not
    a 500 that a retry would store twice; the nightly run catches the unit up."""
    import sqlite3

    from huey.contrib.djhuey import HUEY

    from fangfan.standards import tasks

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(tasks.reevaluate, "schedule", refuse)
    api_client.force_authenticate(unit_admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resp = api_client.post("/api/people/", {"unit": tree["a"].code, "name": "新同事"},
                               format="json")
    assert callbacks and resp.status_code == 201, resp.content
    assert Person.objects.filter(name="新同事").exists()
    assert "database is locked" in caplog.text


def test_unchanged_results_are_not_rewritten_but_the_evaluation_is_stamped(tree):
    engine.evaluate_subtree([tree["city"].path])
    before = {r.pk: r.computed_at for r in Result.objects.all()}
    columns = ("pk", "status", "required", "actual", "reason", "facts", "governing")
    values = {r[0]: r for r in Result.objects.values_list(*columns)}
    first = Evaluation.objects.get(unit=tree["a"]).computed_at
    services.create_record(None, Person, {"unit": tree["a"], "name": "保安", "is_guard": True})
    assert engine.evaluate_subtree([tree["city"].path]) == \
        Result.objects.filter(unit=tree["a"]).count()  # only a changed
    after = {r.pk: r.computed_at for r in Result.objects.all()}
    assert set(after) == set(before)  # rows updated in place, none replaced
    moved = {pk for pk in before if after[pk] != before[pk]}
    # only the results that changed are written: some of a's, none of b, district, city
    assert moved == {r[0] for r in Result.objects.values_list(*columns) if r != values[r[0]]}
    assert moved < set(Result.objects.filter(unit=tree["a"]).values_list("pk", flat=True))
    assert staff_result(tree["a"]).actual == 1
    assert staff_result(tree["a"]).pk in moved
    assert Evaluation.objects.get(unit=tree["b"]).computed_at > first
    assert Evaluation.objects.count() == 4


def test_authority_chooses_packs_for_its_subtree(tree, django_user_model):
    seed = Pack.objects.get(urn="urn:fangfan:pack:seed")
    services.create_record(None, PackActivation, {"unit": tree["district"], "pack": seed})
    engine.evaluate_subtree([tree["city"].path])
    packs = set(Result.objects.filter(unit=tree["a"]).values_list(
        "requirement__pack__urn", flat=True))
    assert packs == {"urn:fangfan:pack:seed"}
    assert Result.objects.filter(unit=tree["city"]).exclude(
        requirement__pack=seed).exists()
    admin = django_user_model.objects.create_user("x", password="x" * 12)
    services.grant_role(None, admin, tree["a"], Role.UNIT_ADMIN)


@pytest.mark.django_db(transaction=True)
def test_fact_families_side_by_side_equal_one_after_another(tree):
    from django.db import connection
    from django.db.models import Q

    gate = services.create_record(None, Location, {"unit": tree["a"], "name": "校门",
                                                   "kind": "main_gate", "is_main_entrance": True})
    services.create_record(None, Person, {"unit": tree["a"], "name": "保安", "is_guard": True})
    services.create_record(None, Asset, {"unit": tree["a"], "category": "lighting",
                                         "location": gate, "quantity": 4})
    scope = Q(unit_path__startswith=tree["city"].path)
    assert not connection.in_atomic_block
    together = facts.compute(scope, parallel=True)
    with transaction.atomic():
        assert facts.compute(scope, parallel=True) == together
    assert facts.compute_unit(tree["a"].path) == {tree["a"].path: together[tree["a"].path]}
    assert together[tree["a"].path]["lighting_working_ratio"] == 1.0
    assert together[tree["a"].path]["guards_total"] == 1


def _varied_records(tree) -> None:
    """Records that give most facts a value: people, locations with and without their
    cameras, the guard kit, a recorder, lights at the gate (one out of service), a
    networked alarm in the duty room, a support unit (a family no rule reads)."""
    from fangfan.organisation.models import SupportUnit

    def make(model, **fields):
        return services.create_record(None, model, fields)

    a, b = tree["a"], tree["b"]
    for i in range(3):
        make(Person, unit=a, name=f"保安{i}", is_guard=True, full_time=i < 2)
    make(Person, unit=b, name="老师", is_guard=False)
    gate = make(Location, unit=a, name="校门", kind="main_gate", is_key=True,
                is_main_entrance=True)
    duty = make(Location, unit=a, name="门卫室", kind="gate_duty_room")
    make(Location, unit=a, name="教学楼", kind="teaching_building")
    hall = make(Location, unit=b, name="食堂", kind="canteen", is_key=True)
    make(Asset, unit=a, category="camera", location=gate, night_capable=True,
         identifies_faces=True, identifies_plates=True)
    make(Asset, unit=a, category="one_key_alarm", location=duty, police_networked=True)
    make(Asset, unit=a, category="lighting", location=gate, quantity=3)
    make(Asset, unit=a, category="lighting", location=gate, quantity=1, status="retired")
    make(Asset, unit=a, category="recorder", retention_days=40)
    make(Asset, unit=a, category="baggage_storage", distance_to_key_m=60)
    for item in ("helmet", "shield", "baton"):
        make(Asset, unit=a, category=item, quantity=2)
    make(Asset, unit=b, category="camera", location=hall)
    make(SupportUnit, unit=a, name="派出所", kind="police", phone="110", distance_km=2)


def _stored() -> tuple[set, dict]:
    results = set(Result.objects.values_list(
        "unit_id", "requirement_id", "status", "required", "actual", "reason", "governing"))
    return results, dict(Evaluation.objects.values_list("unit_id", "digest"))


def test_full_evaluation_equals_each_unit_alone_and_every_family(tree):
    """The families a full evaluation computes (the assets' with their places in one
    scan, none and no column that no rule reads) give the results and digests of each
    unit evaluated alone, and the facts the rules read are those every family computes."""
    from django.db.models import Q

    from fangfan.core.models import Unit

    _varied_records(tree)
    a = tree["a"].path
    got = facts.compute(Q(unit_path=a))[a]
    assert (got["main_gate_camera_ok"], got["gate_alarm_networked"]) == (True, True)
    assert got["lighting_working_ratio"] == 0.75 and got["kit_items_min"] == 0
    assert (got["kit_helmet"], got["video_retention_days_min"], got["assets_count"]) == \
        (2, 40, 9)
    assert got["baggage_distance_min_m"] == 60.0 and got["control_room_system"] is False
    assert got["support_units_count"] == 1

    engine.evaluate_subtree([tree["city"].path])
    together = _stored()
    Result.objects.all().delete()
    Evaluation.objects.all().delete()
    for path in Unit.objects.values_list("path", flat=True):
        engine.evaluate_units([path])
    assert _stored() == together

    needed = engine.read_facts(engine.requirements_of())
    assert "support_units_count" not in needed  # its family is not computed
    scope = Q(unit_path__startswith=tree["city"].path)
    every, read = facts.compute(scope), facts.compute(scope, needed)
    assert {p: {k: v for k, v in f.items() if k in needed} for p, f in every.items()} == \
        {p: {k: v for k, v in f.items() if k in needed} for p, f in read.items()}
    assert "support_units_count" not in read[a]
    # a family whose columns are its facts computes only those read
    assert read[a]["faults_unrestored_over_24h"] == 0 and "faults_recorded" not in read[a]
    assert every[a]["faults_recorded"] == 0


def test_tallies_adjusted_on_change_equal_a_recount(tree):
    from fangfan.standards import tallies
    from fangfan.standards.models import Tally

    def counted() -> set:
        return {(t.unit_path, t.key, t.stage, t.locale, t.status, t.n)
                for t in Tally.objects.exclude(n=0)}

    engine.evaluate_subtree([tree["city"].path])
    for i in range(2):
        services.create_record(None, Person, {"unit": tree["a"], "name": f"保安{i}",
                                              "is_guard": True})
    engine.evaluate_units([tree["a"].path])  # adjusts the tallies of district and city
    services.update_record(None, tree["b"], {"stage": "kindergarten"})
    engine.evaluate_units([tree["b"].path])
    adjusted = counted()
    tallies.rebuild()
    assert adjusted == counted()
    staff = Result.objects.get(unit=tree["a"], requirement__ref="R-STAFF").requirement_id
    met = Tally.objects.get(unit=tree["city"], key=str(staff), stage="primary", status="met")
    assert met.n == 1
    assert Tally.objects.filter(unit=tree["district"], stage="kindergarten").exists()


@pytest.mark.parametrize("bulk", [False, True])
def test_evaluations_count_their_results(tree, monkeypatch, bulk):
    """The gap matrix ranks units by the counts kept on their evaluation: they equal the
    stored results, whether tallies are adjusted or (a bulk rewrite, which also refreshes
    the planner's statistics) recounted."""
    from django.db.models import Count, Q

    if bulk:
        monkeypatch.setattr(engine, "REBUILD_TALLIES_AT", 0)
    services.create_record(None, Person, {"unit": tree["a"], "name": "保安", "is_guard": True})
    engine.evaluate_subtree([tree["city"].path])
    counted = Result.objects.values("unit_id").annotate(
        met=Count("id", filter=Q(status="met")), unmet=Count("id", filter=Q(status="unmet")),
        unknown=Count("id", filter=Q(status="unknown")))
    stored = {e.unit_id: (e.met, e.unmet, e.unknown) for e in Evaluation.objects.all()}
    assert stored == {c["unit_id"]: (c["met"], c["unmet"], c["unknown"]) for c in counted}
    assert stored[tree["a"].pk][1] > 0


def test_a_single_units_reads_answer_as_the_general_ones(tree):
    """The reads compiled once for a single unit's re-evaluation answer what Django's
    general queries answer: a unit's stored results as the tallies counted them
    (`engine._stored`), and the authorities among any set of paths
    (`tallies._authorities`)."""
    from django.db.models import Q

    from fangfan.core.models import Unit
    from fangfan.standards import tallies

    engine.evaluate_subtree([tree["city"].path])
    for unit in Unit.objects.all():
        counted = engine._counted([unit.pk])
        assert counted == engine._counted([unit.pk, 0])  # two ids: Django's query
        one = engine._stored([unit.pk], counted=counted)
        general = engine._stored([unit.pk, 0], counted=counted)
        assert sorted(map(repr, one.entries)) == sorted(map(repr, general.entries))
        assert one.rows == general.rows
        assert one.entries or unit.kind != "school"
        # one scan of a subtree's results reads them as stored (JSON text, 0/1)
        scanned = engine._stored([unit.pk], within=Q(unit_path__startswith=unit.path[:1]))
        assert scanned.rows.keys() == one.rows.keys()
        for key, row in scanned.rows.items():
            new = (key[1], *one.rows[key][1:])  # as the engine's row: requirement first
            assert row[1:] == new[1:] or engine._same_stored(row, new, None)
            facts = json.loads(row[5]) if isinstance(row[5], str) else row[5]
            assert row[:5] + (facts, row[6], bool(row[7])) == one.rows[key]
    paths = sorted(Unit.objects.values_list("path", flat=True))
    for n in range(1, len(paths) + 1):
        for chosen in (paths[:n], paths[-n:]):
            assert tallies._authorities(chosen) == dict(
                Unit.objects.filter(path__in=chosen, children__isnull=False)
                .values_list("path", "id").distinct())


def _tallies() -> list[tuple]:
    from fangfan.standards.models import Tally

    return sorted(Tally.objects.exclude(n=0).values_list(
        "unit_id", "key", "stage", "locale", "status", "n"))


def test_results_as_stored_are_neither_read_nor_written(tree, monkeypatch):
    """A re-evaluation whose inputs changed but whose results did not (every digest of
    a province changes with a release): the results are not read, not written, and
    the tallies stay as counted; a unit whose results changed still has them read."""
    _varied_records(tree)
    engine.evaluate_subtree([tree["city"].path])
    before, counted = _stored()[0], _tallies()
    stamps = dict(Result.objects.values_list("id", "updated_at"))
    read = []
    real = engine._stored
    monkeypatch.setattr(engine, "_stored", lambda ids, *a, **k: read.append(ids) or real(
        ids, *a, **k))
    Evaluation.objects.update(digest="a release ago")
    assert engine.evaluate_subtree([tree["city"].path]) == 0  # none written
    assert read == [[]] and Evaluation.objects.filter(digest="a release ago").count() == 0
    assert _stored()[0] == before and _tallies() == counted
    assert dict(Result.objects.values_list("id", "updated_at")) == stamps
    assert len(set(Evaluation.objects.values_list("results_digest", flat=True))) > 1
    # a change of one unit's results: only its results are read
    Evaluation.objects.update(digest="a release ago")
    services.create_record(None, Person, {"unit": tree["b"], "name": "保安",
                                          "is_guard": True})
    read.clear()
    engine.evaluate_subtree([tree["city"].path])
    assert read == [[tree["b"].pk]]


def test_a_unit_counted_in_another_locale_is_moved_in_the_tallies(tree):
    """Equal results counted under another locale are read and moved in the tallies."""
    from fangfan.core.models import Unit
    from fangfan.standards import tallies

    _varied_records(tree)
    engine.evaluate_subtree([tree["city"].path])
    b = tree["b"]
    digest = Evaluation.objects.get(unit=b).results_digest
    Unit.objects.filter(pk=b.pk).update(locale="rural")
    engine.evaluate_units([b.path])
    assert Evaluation.objects.get(unit=b).results_digest == digest  # results as they were
    adjusted = _tallies()
    assert any(t[3] == "rural" for t in adjusted)
    tallies.rebuild()
    assert _tallies() == adjusted


def test_a_reloaded_rule_is_evaluated_anew_by_the_same_process(tree, tmp_path):
    """Outcomes kept by the process (`engine._outcomes`) are those of the requirements
    as they are: a pack reloaded with another rule under the same requirement gives
    the new rule's outcome for the same inputs."""
    from fangfan.standards.tests.test_packs import GOOD, write

    a = tree["a"]
    services.create_record(None, Person, {"unit": a, "name": "保安", "is_guard": True})
    path = write(tmp_path, "a.yaml", GOOD)
    call_command("standards", "load", str(path))
    engine.evaluate_units([a.path])
    mine = Result.objects.filter(unit=a, requirement__urn="urn:test:pack:a:one")
    assert mine.get().status == "met"  # one guard, one required
    write(tmp_path, "a.yaml", GOOD.replace("version: 1", "version: 2")
          .replace('required: "1"', 'required: "2"'))
    call_command("standards", "load", str(path))
    engine.evaluate_units([a.path])
    assert (mine.get().status, mine.get().required) == ("unmet", 2)


def test_a_recount_writes_only_the_tallies_that_differ(tree):
    """`tallies.rebuild` by difference: the tallies of a recount from nothing, with the
    rows that were right left as they were."""
    from fangfan.standards import tallies
    from fangfan.standards.models import Tally

    _varied_records(tree)
    engine.evaluate_subtree([tree["city"].path])
    right = _tallies()
    rows = list(Tally.objects.order_by("pk"))
    wrong, lost, moved = rows[0], rows[1], rows[2]
    Tally.objects.filter(pk=wrong.pk).update(n=wrong.n + 5)
    Tally.objects.filter(pk=lost.pk).delete()
    Tally.objects.filter(pk=moved.pk).update(unit_path="0")
    Tally.objects.create(unit=tree["city"], unit_path=tree["city"].path, key="stray",
                         stage="", locale="", status="met", n=3)
    Tally.objects.create(unit=tree["city"], unit_path=tree["city"].path, key="zero",
                         stage="", locale="", status="met", n=0)
    tallies.rebuild()
    assert _tallies() == right
    assert Tally.objects.count() == len(right)  # none at zero
    now = {t.pk: (t.unit_path, t.n) for t in Tally.objects.all()}
    assert {r.pk: (r.unit_path, r.n) for r in rows if r.pk != lost.pk}.items() <= now.items()
    again = Tally.objects.get(unit=lost.unit_id, key=lost.key, stage=lost.stage,
                              locale=lost.locale, status=lost.status)
    assert again.pk not in {r.pk for r in rows} and again.n == lost.n
    Tally.objects.all().delete()
    tallies.rebuild()
    assert _tallies() == right
