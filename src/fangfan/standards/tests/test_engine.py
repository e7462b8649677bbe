"""Evaluation from records: facts in bulk, stored results, incremental re-evaluation."""
from __future__ import annotations

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

    # one grouped query each, and the school terms read once (R-SUPV's semesters)
    with django_assert_max_num_queries(len(facts.FAMILIES) + 1):
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


def test_unchanged_results_are_not_rewritten_but_the_evaluation_is_stamped(tree):
    engine.evaluate_subtree([tree["city"].path])
    before = {r.pk: r.computed_at for r in Result.objects.all()}
    first = Evaluation.objects.get(unit=tree["a"]).computed_at
    services.create_record(None, Person, {"unit": tree["a"], "name": "保安", "is_guard": True})
    assert engine.evaluate_subtree([tree["city"].path]) == \
        Result.objects.filter(unit=tree["a"]).count()  # only a changed
    after = {r.pk: r.computed_at for r in Result.objects.all()}
    kept = {pk for pk in before if pk in after}
    assert kept and all(after[pk] == before[pk] for pk in kept)  # b, district, city
    assert Result.objects.filter(unit=tree["a"]).exclude(pk__in=kept).count() == \
        Result.objects.filter(unit=tree["a"]).count()  # a's results were replaced
    assert staff_result(tree["a"]).actual == 1
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
