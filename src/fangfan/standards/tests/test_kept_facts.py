"""The nightly run's kept facts (issue 14): the facts of the families that read no clock
are reused from each unit's last evaluation, except where a write, a release or the
rolling re-read says to read the records again; either way the results are those of a
full read."""
from __future__ import annotations

import json

import pytest
from django.db.models import Q

from fangfan.core import services
from fangfan.core.models import Unit
from fangfan.resources.models import Person
from fangfan.standards import engine, facts, pending, tasks
from fangfan.standards.models import Evaluation, Result
from fangfan.standards.tests.test_engine import _stored, _varied_records


def _guards(unit) -> float | None:
    return Result.objects.get(unit=unit, requirement__ref="R-STAFF").actual


def _bypass(unit) -> None:
    """A full-time guard written past the record machinery (no marker, no audit): only a
    read of the records can see it."""
    Person.objects.create(unit=unit, unit_path=unit.path, name="保安", is_guard=True)


@pytest.fixture
def no_share(settings):
    """No unit in tonight's rolling share (one run of paths in a million days)."""
    settings.FANGFAN_FACTS_REREAD_DAYS = 10**6
    return settings


def test_every_evaluation_keeps_the_facts_a_full_read_gives(tree):
    _varied_records(tree)
    engine.evaluate_subtree([tree["city"].path])
    needed = engine.read_facts(engine.requirements_of())
    signature = facts.kept_signature(needed)
    full = facts.compute(Q(unit_path__startswith=tree["city"].path), needed)
    for path, kept, sig in Evaluation.objects.values_list(
            "unit__path", "kept", "kept_signature"):
        assert sig == signature
        want = {k: v for k, v in full.get(path, {}).items() if facts.is_kept(k)}
        assert json.loads(kept) == want
    a = json.loads(Evaluation.objects.get(unit=tree["a"]).kept)
    assert a["guards_total"] == 3 and a["lighting_working_ratio"] == 0.75
    assert not any(name in a for name in needed if not facts.is_kept(name))

    # a unit evaluated alone after a change keeps its facts too
    Result.objects.filter(unit=tree["a"]).delete()
    Evaluation.objects.filter(unit=tree["a"]).delete()
    engine.evaluate_units([tree["a"].path])
    assert Evaluation.objects.get(unit=tree["a"]).kept == json.dumps(
        {k: v for k, v in full[tree["a"].path].items() if facts.is_kept(k)},
        sort_keys=True, separators=(",", ":"))


def test_the_incremental_run_gives_the_full_runs_results(tree, no_share):
    _varied_records(tree)
    engine.evaluate_subtree([tree["city"].path])
    before = _stored()
    assert engine.evaluate_subtree([tree["city"].path], incremental=True) == 0
    assert _stored() == before
    # and from kept facts of a unit evaluated alone
    Evaluation.objects.filter(unit=tree["b"]).delete()
    Result.objects.filter(unit=tree["b"]).delete()
    engine.evaluate_units([tree["b"].path])
    assert engine.evaluate_subtree([tree["city"].path], incremental=True) == 0
    assert _stored() == before


def test_the_incremental_run_reads_kept_facts_not_the_records(tree, no_share):
    a = tree["a"]
    engine.evaluate_subtree([tree["city"].path])
    assert _guards(a) is None  # no people: unknown
    _bypass(a)
    engine.evaluate_subtree([tree["city"].path], incremental=True)
    assert _guards(a) is None  # its kept facts: the write was not seen
    engine.evaluate_subtree([tree["city"].path], incremental=True, reread=[a.path])
    assert _guards(a) == 1
    assert json.loads(Evaluation.objects.get(unit=a).kept)["guards_full_time"] == 1


def test_the_nightly_task_reads_the_units_still_marked(tree, no_share):
    a = tree["a"]
    engine.evaluate_subtree([tree["city"].path])
    _bypass(a)
    pending.mark(a.path)
    tasks.daily_evaluation_and_calendar.call_local()
    assert _guards(a) == 1
    assert pending.clear() == []


def test_the_rolling_share_reads_every_unit_within_its_days(tree, settings, monkeypatch):
    """Each night one run of consecutive paths is read again: over the days, all."""
    import datetime as dt

    from django.utils import timezone

    settings.FANGFAN_FACTS_REREAD_DAYS = 3
    engine.evaluate_subtree([tree["city"].path])
    units = list(Unit.objects.order_by("path"))
    for unit in units:
        _bypass(unit)
    today = timezone.localdate()
    seen = []
    for day in range(3):
        monkeypatch.setattr(timezone, "localdate",
                            lambda *a, day=day: today + dt.timedelta(days=day))
        share = engine._reread_share([u.path for u in units])
        assert share and share == sorted(share)
        seen += share
        engine.evaluate_subtree([tree["city"].path], incremental=True)
        for unit in units:
            kept = json.loads(Evaluation.objects.get(unit=unit).kept)
            assert ("guards_total" in kept) == (unit.path in seen), (day, unit.code)
    assert sorted(seen) == [u.path for u in units]  # each once


def test_kept_facts_of_another_signature_are_read_again(tree, no_share, monkeypatch):
    a = tree["a"]
    engine.evaluate_subtree([tree["city"].path])
    _bypass(a)
    needed = engine.read_facts(engine.requirements_of())
    key = next(k for k in facts._signatures if k[1] == frozenset(needed))
    monkeypatch.setitem(facts._signatures, key, "another release")
    engine.evaluate_subtree([tree["city"].path], incremental=True)
    assert _guards(a) == 1
    assert set(Evaluation.objects.values_list("kept_signature", flat=True)) == \
        {"another release"}


def test_a_unit_rewritten_meanwhile_keeps_the_newer_evaluation(tree):
    """A subtree's evaluation reads for seconds; a unit a write had evaluated again in
    the meantime is not overwritten with the older read."""
    a = tree["a"]
    engine.evaluate_subtree([tree["city"].path])
    read = dict(Evaluation.objects.values_list("unit_id", "digest"))
    Evaluation.objects.filter(unit=a).update(digest="written meanwhile")
    changed = {a.id: (a.path, "older", []), tree["b"].id: (tree["b"].path, "x", [])}
    engine._drop_overtaken(changed, read, engine._counted(list(changed)))
    assert list(changed) == [tree["b"].id]
    # nor are its kept facts, read before, stored over the newer ones
    keeping = engine.Keeping("sig", stale={a.id: "{}", tree["b"].id: "{}"})
    engine._keep(keeping, set(), read)
    assert dict(Evaluation.objects.filter(kept_signature="sig").values_list(
        "unit_id", "kept")) == {tree["b"].id: "{}"}


def test_a_write_through_the_machinery_is_kept_at_once(tree, no_share,
                                                        django_capture_on_commit_callbacks):
    a = tree["a"]
    engine.evaluate_subtree([tree["city"].path])
    with django_capture_on_commit_callbacks(execute=True):
        services.create_record(None, Person, {"unit": a, "name": "保安", "is_guard": True})
    assert _guards(a) == 1
    assert json.loads(Evaluation.objects.get(unit=a).kept)["guards_total"] == 1
    engine.evaluate_subtree([tree["city"].path], incremental=True)
    assert _guards(a) == 1


def test_the_signature_is_the_same_in_every_process(tree):
    """Another process (another hash seed) computes the same signature: a signature
    that named an address or a set's order would make every nightly run read all."""
    import os
    import subprocess
    import sys

    needed = engine.read_facts(engine.requirements_of())
    text = facts.kept_signature_text(needed)
    assert " at 0x" not in text
    script = ("import django; django.setup()\n"
              "from fangfan.standards import facts\n"
              f"print(facts.kept_signature(set({sorted(needed)!r})))")
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.split()[-1] == facts.kept_signature(needed)



def test_a_unit_whose_clock_facts_changed_is_evaluated_with_its_kept_facts(tree, no_share):
    """A unit re-evaluated because a clock family's fact changed, its other records
    not read again tonight: its results are a full read's, kept facts included."""
    import datetime as dt

    from django.utils import timezone

    from fangfan.resources.models import Asset, Fault

    _varied_records(tree)
    engine.evaluate_subtree([tree["city"].path])
    a, city = tree["a"], tree["city"].path
    camera = Asset.objects.get(unit=a, category="camera")
    late = timezone.now() - dt.timedelta(days=2)
    Fault.objects.create(unit=a, unit_path=a.path, asset=camera, description="黑屏",
                         reported_at=late, due_at=late)  # no marker: the clock's family
    assert engine.evaluate_subtree([city], incremental=True) > 0
    nightly = _stored()
    assert _guards(a) == 2  # R-STAFF from the kept facts (two full-time guards)
    Evaluation.objects.all().delete()
    engine.evaluate_subtree([city])  # every fact read again
    assert _stored() == nightly
