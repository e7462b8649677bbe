"""Service-level rules of emergency plans, drills and accounting rounds, each refusal
with its sentence, and the pages that act on them."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import AuditEntry, Role
from fangfan.emergency import services as emg
from fangfan.emergency.models import (
    AccountingReport,
    AccountingRound,
    Drill,
    EmergencyPlan,
    PlanAcknowledgement,
    PlanStatus,
)
from fangfan.inspections.models import Hazard, HazardSource
from fangfan.organisation.models import Body, Membership
from fangfan.resources.models import Person
from fangfan.standards import calendar
from fangfan.standards.models import Obligation, Requirement

TODAY = timezone.localdate()
FULL = {"scenario": "knife_attack", "title": "防持刀砍杀应急预案", "command": "校长任总指挥",
        "groups": "秩序维护组", "first_response": "钢叉拦截，报警", "evacuation": "东西楼梯",
        "reporting": "110、教育局", "aftermath": "救治伤员"}


@pytest.fixture
def people(tree, make_user):
    a = tree["a"]
    return {"admin": make_user(Role.UNIT_ADMIN, a), "principal": make_user(Role.PRINCIPAL, a),
            "staff": make_user(Role.STAFF, a), "guard": make_user(Role.GUARD, a),
            "other": make_user(Role.STAFF, tree["b"])}


def _plan(actor, unit, **extra) -> EmergencyPlan:
    return services.create_record(actor, EmergencyPlan, {"unit": unit, **FULL, **extra})


def test_only_the_principal_approves_and_only_a_complete_plan(tree, people):
    plan = _plan(people["admin"], tree["a"])
    assert plan.status == PlanStatus.DRAFT and plan.version == 1
    with pytest.raises(PermissionDenied, match="Only the principal"):
        emg.approve(people["admin"], plan)
    incomplete = _plan(people["admin"], tree["a"], aftermath="", reporting=" ")
    with pytest.raises(ValidationError, match="it lacks reporting, aftermath"):
        emg.approve(people["principal"], incomplete)
    emg.approve(people["principal"], plan, on=TODAY)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == people["principal"]
    assert plan.revise_by == TODAY + dt.timedelta(days=365)
    with pytest.raises(ValidationError, match="Only a draft"):
        emg.approve(people["principal"], plan)


def test_groups_come_from_the_organisation_and_command_from_the_hq(tree, people):
    a = tree["a"]
    plan = _plan(people["admin"], a, groups="", command="")
    assert plan.missing_elements == ["command", "groups and members"]
    hq = services.create_record(None, Body, {"unit": a, "kind": "command_hq", "name": "指挥部"})
    group = services.create_record(None, Body, {"unit": a, "kind": "order_group",
                                                "name": "秩序维护组"})
    person = services.create_record(None, Person, {"unit": a, "name": "郭建刚"})
    services.create_record(None, Membership, {"unit": a, "body": group, "person": person})
    services.update_record(people["admin"], plan, {"command_body": hq})
    assert plan.missing_elements == []


def test_a_new_version_supersedes_the_old_and_the_history_stays(tree, people):
    v1 = _plan(people["admin"], tree["a"])
    emg.approve(people["principal"], v1)
    v1.refresh_from_db()
    with pytest.raises(ValidationError, match="An approved plan does not change"):
        services.update_record(people["admin"], v1, {"first_response": "改"})
    v2 = _plan(people["admin"], tree["a"], previous=v1, first_response="先期处置（修订）")
    assert v2.version == 2 and v2.status == PlanStatus.DRAFT
    with pytest.raises(ValidationError):  # one newer version of a version
        _plan(people["admin"], tree["a"], previous=v1)
    with pytest.raises(ValidationError, match="keeps the scenario"):
        services.update_record(people["admin"], v2, {"scenario": "arson"})
    emg.approve(people["principal"], v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (PlanStatus.SUPERSEDED, PlanStatus.APPROVED)
    assert EmergencyPlan.objects.filter(unit=tree["a"]).count() == 2


def test_each_user_of_the_unit_acknowledges_the_plan_in_force(tree, people, client):
    plan = _plan(people["admin"], tree["a"])
    with pytest.raises(ValidationError, match="Only the plan in force"):
        emg.acknowledge(people["staff"], plan)
    emg.approve(people["principal"], plan)
    plan.refresh_from_db()
    emg.acknowledge(people["staff"], plan)
    emg.acknowledge(people["staff"], plan)  # twice is once
    assert PlanAcknowledgement.objects.filter(plan=plan).count() == 1
    assert AuditEntry.objects.filter(record_type="emergency.planacknowledgement").count() == 1
    with pytest.raises(PermissionDenied):
        emg.acknowledge(people["other"], plan)
    have, have_not = emg.readers(plan)
    assert have == [people["staff"]]
    assert set(have_not) == {people["admin"], people["principal"], people["guard"]}
    client.force_login(people["guard"])
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "1 of 4 have read it" in html and 'data-testid="acknowledge"' in html
    client.post(reverse("plan-acknowledge", args=[plan.pk]))
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "2 of 4 have read it" in html and 'data-testid="acknowledge"' not in html


def test_approval_page_refuses_the_admin_with_a_sentence(tree, people, client):
    plan = _plan(people["admin"], tree["a"])
    client.force_login(people["admin"])
    assert 'data-testid="approve"' not in client.get(plan.get_absolute_url()).content.decode()
    response = client.post(reverse("plan-approve", args=[plan.pk]), follow=True)
    assert "Only the principal approves" in response.content.decode()
    client.force_login(people["principal"])
    assert 'data-testid="approve"' in client.get(plan.get_absolute_url()).content.decode()
    client.post(reverse("plan-approve", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    client.force_login(people["other"])  # another school's: not found
    assert client.post(reverse("plan-approve", args=[plan.pk])).status_code == 404


def _drill(actor, unit, **extra) -> Drill:
    return services.create_record(actor, Drill, {
        "unit": unit, "held_on": TODAY - dt.timedelta(days=1), "scenario": "knife_attack",
        "participants": 600, **extra})


def test_a_drill_is_recorded_once_held_and_uses_a_plan_of_its_unit(tree, people):
    with pytest.raises(ValidationError, match="once it has been held"):
        _drill(people["admin"], tree["a"], held_on=TODAY + dt.timedelta(days=1))
    other = _plan(None, tree["b"])
    with pytest.raises(ValidationError, match="another unit"):
        _drill(people["admin"], tree["a"], plan=other)
    with pytest.raises(PermissionDenied):
        _drill(people["staff"], tree["a"])


def _r_drill_obligation(unit) -> Obligation:
    req = Requirement.objects.get(ref="R-DRILL")
    return Obligation.objects.create(unit=unit, unit_path=unit.path, requirement=req,
                                     period_start=TODAY - dt.timedelta(days=60),
                                     period_end=TODAY + dt.timedelta(days=60),
                                     due_on=TODAY + dt.timedelta(days=60))


def test_a_held_drill_fulfils_the_semesters_obligation(tree, people):
    ob = _r_drill_obligation(tree["a"])
    drill = _drill(people["admin"], tree["a"])
    ob.refresh_from_db()
    assert ob.done_on == drill.held_on and ob.fulfilled_by_type == "drills"
    assert ob.fulfilled_by_id == str(drill.pk)


def test_a_drill_closes_the_drill_guides_monthly_obligation_too(tree, people):
    req = Requirement.objects.get(spec__actual="months_without_drill")
    ob = Obligation.objects.create(unit=tree["a"], unit_path=tree["a"].path, requirement=req,
                                   period_start=TODAY - dt.timedelta(days=10),
                                   period_end=TODAY + dt.timedelta(days=10),
                                   due_on=TODAY + dt.timedelta(days=10))
    drill = _drill(people["admin"], tree["a"])
    ob.refresh_from_db()
    assert ob.done_on == drill.held_on and ob.fulfilled_by_id == str(drill.pk)


def test_a_drill_recorded_before_the_obligation_closes_it_on_catch_up(tree, people):
    drill = _drill(people["admin"], tree["a"])
    ob = _r_drill_obligation(tree["a"])
    assert calendar.catch_up(TODAY) >= 1
    ob.refresh_from_db()
    assert ob.done_on == drill.held_on and ob.fulfilled_by_id == str(drill.pk)


def test_a_drills_problem_becomes_a_hazard_and_a_plan_revision(tree, people, client):
    plan = _plan(people["admin"], tree["a"])
    emg.approve(people["principal"], plan)
    plan.refresh_from_db()
    drill = _drill(people["admin"], tree["a"], plan=plan,
                   problems="西侧楼梯疏散拥堵\n广播听不清")
    client.force_login(people["admin"])
    html = client.get(drill.get_absolute_url()).content.decode()
    assert html.count('data-testid="make-hazard"') == 2
    response = client.post(reverse("drill-hazard", args=[drill.pk]), {"problem": "1"})
    hazard = Hazard.objects.get(unit=tree["a"])
    assert response.url == hazard.get_absolute_url()
    assert (hazard.title, hazard.source, hazard.found_on) == ("广播听不清", HazardSource.DRILL,
                                                              drill.held_on)
    html = client.get(drill.get_absolute_url()).content.decode()
    assert html.count('data-testid="make-hazard"') == 1
    client.post(reverse("drill-revise-plan", args=[drill.pk]))
    plan.refresh_from_db()
    assert "广播听不清" in plan.revision_reason
    assert plan.revise_by == TODAY + dt.timedelta(days=30)
    with pytest.raises(ValidationError, match="Say why"):
        emg.mark_for_revision(people["admin"], plan, "  ")
    with pytest.raises(PermissionDenied):
        emg.mark_for_revision(people["staff"], plan, "理由")


@pytest.fixture
def round_(tree, people) -> AccountingRound:
    return services.create_record(people["admin"], AccountingRound, {
        "unit": tree["a"], "reason": "drill", "started_at": timezone.now()})


@pytest.mark.parametrize("counts, field, sentence", [
    ({"enrolled": 40, "present": 30, "missing": 41}, "missing", "More missing than enrolled"),
    ({"enrolled": 40, "present": 35, "missing": 6}, "present", "exceed those enrolled"),
    ({"enrolled": 40, "present": -1, "missing": 0}, "present", "cannot be negative"),
    ({"enrolled": 40, "present": 40, "missing": 0, "injured": 41}, "injured", "More injured"),
])
def test_impossible_counts_are_refused(round_, people, counts, field, sentence):
    with pytest.raises(ValidationError) as exc:
        emg.report(people["staff"], round_, {"group_name": "三年级二班", **counts})
    assert sentence in " ".join(exc.value.message_dict[field])
    assert not AccountingReport.objects.exists()


def test_reports_add_up_and_a_second_report_corrects_the_first(round_, people):
    emg.report(people["staff"], round_, {"group_name": "三(2)班", "enrolled": 42,
                                         "present": 40, "missing": 2, "injured": 0})
    emg.report(people["guard"], round_, {"group_name": "后勤处", "enrolled": 10,
                                         "present": 10, "missing": 0, "injured": 1})
    emg.report(people["staff"], round_, {"group_name": "三(2)班", "enrolled": 42,
                                         "present": 41, "missing": 1, "injured": 0})
    totals = emg.totals(round_)
    assert (totals["groups"], totals["enrolled"], totals["present"], totals["missing"],
            totals["injured"], totals["unaccounted"]) == (2, 52, 51, 1, 1, 0)
    assert AccountingReport.objects.get(group_name="三(2)班").reporter == people["staff"]
    with pytest.raises(PermissionDenied):
        emg.close_round(people["staff"], round_)
    emg.close_round(people["admin"], round_)
    with pytest.raises(ValidationError, match="The round is closed"):
        emg.report(people["staff"], round_, {"group_name": "四(1)班", "enrolled": 1,
                                             "present": 1, "missing": 0, "injured": 0})


def test_the_phone_page_reports_and_refuses_with_the_reason(round_, people, client):
    client.force_login(people["staff"])
    url = reverse("accounting-count", args=[round_.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="count-form"' in page and 'hx-trigger="every 10s"' in page
    bad = client.post(url, {"group_name": "一(1)班", "enrolled": "30", "present": "25",
                            "missing": "8", "injured": "0"})
    assert bad.status_code == 400 and "exceed those enrolled" in bad.content.decode()
    good = client.post(url, {"group_name": "一(1)班", "enrolled": "30", "present": "29",
                             "missing": "1", "injured": "0"})
    assert good.status_code == 302
    totals = client.get(reverse("accounting-totals", args=[round_.pk])).content.decode()
    assert 'data-testid="total-present">29<' in totals and "一(1)班" in totals
    client.force_login(people["other"])
    assert client.get(url).status_code == 404


def test_a_round_names_only_a_drill_of_its_unit_after_a_drill(tree, people):
    drill = _drill(people["admin"], tree["a"])
    with pytest.raises(ValidationError, match="Only a round after a drill"):
        services.create_record(people["admin"], AccountingRound, {
            "unit": tree["a"], "reason": "lockdown", "drill": drill,
            "started_at": timezone.now()})
    other = _drill(None, tree["b"])
    with pytest.raises(ValidationError, match="another unit"):
        services.create_record(people["admin"], AccountingRound, {
            "unit": tree["a"], "reason": "drill", "drill": other,
            "started_at": timezone.now()})


def test_new_version_opens_the_form_with_the_plan_in_it(tree, people, client):
    hq = services.create_record(None, Body, {"unit": tree["a"], "kind": "command_hq",
                                             "name": "指挥部"})
    plan = _plan(people["admin"], tree["a"], command_body=hq)
    emg.approve(people["principal"], plan)
    client.force_login(people["admin"])
    html = client.get(plan.get_absolute_url()).content.decode()
    link = html.split('data-action="emergency-plans"')[0].rsplit('href="', 1)[1].split('"')[0]
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{hq.pk}" selected>' in form
    assert "钢叉拦截，报警" in form and f'<option value="{plan.pk}" selected>' in form
