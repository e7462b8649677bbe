"""Demo data: the school of seed 000, idempotent, fictitious phones, a user per role."""
from __future__ import annotations

import re

from django.core.management import call_command

from fangfan.core import audit
from fangfan.core.demo import DEMO_PASSWORD
from fangfan.core.models import Role, RoleGrant, Unit
from fangfan.resources.models import Asset, Location, Person

SEED_PHONES = {"15161109922", "13915007606", "13775000559", "13301502507", "13506126090",
               "13861147586", "18912327326", "13685208145", "13656120463"}


def test_demo_loads_the_seed_school_once(db, client):
    call_command("demo")
    school = Unit.objects.get(code="xinqiao")
    assert school.parent.code == "xinbei" and school.parent.parent.code == "changzhou"
    assert school.key_target_grade == 2
    names = set(Person.objects.filter(unit=school).values_list("name", flat=True))
    assert {"张红梅", "姚建法", "郭建刚", "黄建刚"} <= names
    key = set(Location.objects.filter(unit=school, is_key=True).values_list("name", flat=True))
    assert {"南校门", "食堂", "学生饮水处", "配电房", "监控中心", "信息中心"} <= key
    alarm = Asset.objects.get(unit=school, category="one_key_alarm")
    assert alarm.police_networked and alarm.location.name == "南门卫"
    assert {r.value for r in Role} == set(RoleGrant.objects.values_list("role", flat=True))
    assert audit.verify() is None


    # A second run keeps what users changed.
    Location.objects.filter(name="食堂").update(name="学生食堂")
    call_command("demo")
    assert Location.objects.filter(name="学生食堂").exists()
    assert Unit.objects.filter(code="xinqiao").count() == 1

    resp = client.post("/accounts/login/", {"username": "xinqiao_admin",
                                            "password": DEMO_PASSWORD})
    assert resp.status_code == 302 and "_auth_user_id" in client.session


def test_demo_phones_are_fictitious(db):
    call_command("demo")
    from fangfan.organisation.models import SupportUnit

    phones = set(Person.objects.values_list("phone", flat=True)) | set(
        Unit.objects.values_list("contact_phone", flat=True)) | set(
        SupportUnit.objects.values_list("phone", flat=True))
    assert not phones & SEED_PHONES
    assert all(re.fullmatch(r"1380000\d{4}", p) for p in phones if p)


def test_grant_command(tree, django_user_model, capsys):
    user = django_user_model.objects.create_user("newcomer", password="x" * 12)
    call_command("grant", "newcomer", "school-a", "auditor")
    assert RoleGrant.objects.filter(user=user, unit=tree["a"], role="auditor").exists()
    assert "auditor" in capsys.readouterr().out


def test_demo_school_has_its_organisation_and_its_gaps_come_from_records(db):
    from fangfan.organisation.models import Body, Letter, SupportUnit
    from fangfan.standards import engine
    from fangfan.standards.models import Result

    call_command("demo")
    school = Unit.objects.get(code="xinqiao")
    group = Body.objects.get(unit=school, kind="leadership_group")
    leader = group.memberships.get(role="leader")
    assert leader.person.name == "张红梅" and group.memberships.count() == 18
    assert Body.objects.get(unit=school, kind="office").seat == "后勤保障中心"
    police = SupportUnit.objects.get(unit=school)
    assert (police.name, float(police.distance_km)) == ("新桥派出所", 2.5)
    engine.evaluate_subtree([school.parent.path])
    status = dict(Result.objects.filter(unit=school).values_list("requirement__urn", "status"))
    assert status["urn:fangfan:pack:seed:org-head"] == "met"
    assert status["urn:fangfan:pack:cn-law:ctl-32-responsible"] == "met"
    # The year's letters: all signed but the security captain's, overdue (a named gap).
    assert status["urn:fangfan:pack:seed:org-letters"] == "unmet"
    late = [x for x in Letter.objects.filter(unit=school) if x.overdue]
    assert [x.signer.name for x in late] == ["黄建刚"]
    fault = Result.objects.get(unit__code="chunjiang", requirement__ref="R-FAULT")
    assert (fault.status, fault.actual) == ("unmet", 1)
