"""The video system networked to the police (与公安机关联网, seed 004; R-DEADLINE's "four
100%"): recorded on the unit's video recorders, computed for a subtree in one grouped
query, unknown only while no recorder in service says whether it is networked."""
from __future__ import annotations

import re

from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangfan.core import services
from fangfan.core.models import Unit
from fangfan.resources.models import Asset
from fangfan.standards import engine, facts
from fangfan.standards.models import Requirement, Result

FACT = "video_police_networked"


def _asset(unit: Unit, category: str = "recorder", **attrs) -> Asset:
    return services.create_record(None, Asset, {"unit": unit, "category": category, **attrs})


def _school(district: Unit, code: str) -> Unit:
    return services.create_unit(None, {"parent": district, "code": code, "name": code,
                                       "kind": "school", "stage": "primary",
                                       "locale": "city"})


def test_networked_unmet_and_unknown_for_a_subtree_in_one_query(tree):
    district = tree["district"]
    _asset(tree["a"], police_networked=True)  # one networked recorder networks the system
    _asset(tree["a"], police_networked=False)
    _asset(tree["b"], police_networked=False)  # recorders, none networked: a gap
    cameras = _school(district, "cameras-only")
    _asset(cameras, "camera")  # assets, but no recorder: unknown
    blank = _school(district, "left-blank")
    _asset(blank)  # a recorder whose networking is not filled in: unknown
    broken = _school(district, "broken")
    _asset(broken, police_networked=True, status="faulty")  # not networked while down
    _asset(broken, police_networked=False)
    _school(district, "nothing")  # no records at all: absent, so unknown
    with CaptureQueriesContext(connection) as queries:
        values = facts.compute(Q(unit_path__startswith=district.path), needed={FACT})
    assert len(queries) == 1
    got = {Unit.objects.get(path=path).code: v.get(FACT) for path, v in values.items()}
    assert got == {"school-a": True, "school-b": False, "cameras-only": None,
                   "left-blank": None, "broken": False}


def test_the_unknown_reason_names_the_recorder_and_links_to_assets():
    assert not facts.FACTS[FACT].unavailable
    assert facts.FACTS[FACT].missing_from == "assets"
    assert "No video recorder in service is recorded" in facts.unknown_reason(FACT)


def test_only_the_video_recorder_and_the_alarms_take_the_field(tree, unit_admin, client,
                                                              api_client):
    client.force_login(unit_admin)
    url = reverse("records:assets-add")
    recorder = set(re.findall(r'name="([a-z_]+)"',
                              client.get(url, {"category": "recorder"}).content.decode()))
    camera = set(re.findall(r'name="([a-z_]+)"',
                            client.get(url, {"category": "camera"}).content.decode()))
    assert "police_networked" in recorder and "police_networked" not in camera
    resp = client.post(url, {"unit": tree["a"].pk, "category": "recorder", "name": "录像机",
                             "quantity": "1", "status": "in_service", "retention_days": "30",
                             "police_networked": "true"})
    assert resp.status_code == 302
    assert Asset.objects.get(name="录像机").police_networked is True
    api_client.force_authenticate(unit_admin)
    resp = api_client.post("/api/assets/", {"unit": "school-a", "category": "recorder",
                                            "name": "NVR", "police_networked": False},
                           format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["police_networked"] is False
    resp = api_client.post("/api/assets/", {"unit": "school-a", "category": "camera",
                                            "name": "摄像机", "police_networked": True},
                           format="json")
    assert resp.status_code == 400 and "police_networked" in resp.json()
    assert not Asset.objects.filter(name="摄像机").exists()


def test_no_fact_of_the_shipped_packs_waits_for_a_record_type(db):
    """Every fact a shipped pack reads is computed from records Fangfan keeps."""
    read = engine.read_facts(engine.compiled(Requirement.objects.all()))
    assert FACT in read
    waiting = {n for n in read if facts.FACTS[n].unavailable or not facts.FACTS[n].supplier}
    assert waiting == set()


def test_demo_shows_the_video_networking_met_at_xinqiao_and_a_gap_at_chunjiang(db):
    call_command("demo")
    school = Unit.objects.get(code="xinqiao")
    engine.evaluate_subtree([school.parent.path])
    deadline = Result.objects.get(unit=school, requirement__ref="R-DEADLINE")
    assert deadline.facts[FACT] is True and deadline.status == "met"
    other = Result.objects.get(unit__code="chunjiang", requirement__ref="R-DEADLINE")
    assert other.facts[FACT] is False
    # No result of the demo school is unknown for a fact Fangfan keeps no records for,
    # and none for this one.
    unknown = Result.objects.filter(unit=school, status="unknown")
    # Issue 12: every rule of the seed pack is met or unmet there for a visible reason.
    assert not unknown.filter(requirement__urn__startswith="urn:fangfan:pack:seed:").exists()
    for result in unknown:
        names = [n for n in result.reason.split(",") if n]
        assert FACT not in names, result.requirement.urn
        assert all(facts.FACTS[n].supplier and not facts.FACTS[n].unavailable
                   for n in names if n in facts.FACTS), result.requirement.urn
