"""Emergency work on the home page (plans to revise and to read, drills the calendar asks
for, rounds in progress) and the plans in force in the unit's work plan."""
from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from django.urls import reverse
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.work import WorkContext, items_for
from fangfan.emergency import services as emg
from fangfan.emergency.models import AccountingRound, EmergencyPlan
from fangfan.emergency.tests.test_services import FULL
from fangfan.standards.models import Obligation, Requirement

TODAY = timezone.localdate()


def _titles(user, unit) -> dict[str, str]:
    ctx = WorkContext(user=user, paths=[unit.path])
    return {i.title: i.action for items in items_for(ctx).values() for i in items}


@pytest.fixture
def plan(tree, make_user):
    admin, principal = make_user(Role.UNIT_ADMIN, tree["a"]), make_user(Role.PRINCIPAL, tree["a"])
    p = services.create_record(admin, EmergencyPlan, {"unit": tree["a"], **FULL})
    emg.approve(principal, p, on=TODAY - dt.timedelta(days=3))
    p.refresh_from_db()
    return p


def test_plans_to_read_for_each_user_until_confirmed(tree, plan, make_user):
    teacher = make_user(Role.STAFF, tree["a"])
    title = f"Read the plan: {plan.title}"
    assert _titles(teacher, tree["a"])[title] == "Read and confirm"
    emg.acknowledge(teacher, plan)
    assert title not in _titles(teacher, tree["a"])
    # Someone above the unit is not asked to read the school's plan.
    district = make_user(Role.SUPERVISOR, tree["district"])
    assert title not in _titles(district, tree["district"])


def test_a_plan_marked_for_revision_is_work_until_a_new_version(tree, plan, make_user):
    admin = make_user(Role.UNIT_ADMIN, tree["a"], username="admin2")
    title = f"Revise the plan: {plan.title}"
    assert title not in _titles(admin, tree["a"])  # due in a year
    emg.mark_for_revision(admin, plan, "演练发现疏散路线拥堵")
    assert _titles(admin, tree["a"])[title] == "Revise"
    v2 = services.create_record(admin, EmergencyPlan, {"unit": tree["a"], **FULL,
                                                       "previous": plan})
    emg.approve(None, v2)
    assert title not in _titles(admin, tree["a"])


def test_the_calendars_drill_links_to_record_a_drill(tree, make_user):
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    Obligation.objects.create(unit=tree["a"], unit_path=tree["a"].path,
                              requirement=Requirement.objects.get(ref="R-DRILL"),
                              period_start=TODAY - dt.timedelta(days=80),
                              period_end=TODAY + dt.timedelta(days=5),
                              due_on=TODAY + dt.timedelta(days=5), status="due")
    ctx = WorkContext(user=admin, paths=[tree["a"].path])
    item = next(i for items in items_for(ctx).values() for i in items
                if i.title == "A drill every semester")
    assert item.action == "Record a drill"
    assert item.url == f"{reverse('records:drills-add')}?unit={tree['a'].pk}"


def test_rounds_in_progress_are_work_until_closed(tree, make_user):
    teacher = make_user(Role.STAFF, tree["a"])
    rnd = services.create_record(None, AccountingRound, {
        "unit": tree["a"], "reason": "lockdown", "started_at": timezone.now()})
    title = f"Accounting for everyone: {rnd}"
    assert _titles(teacher, tree["a"])[title] == "Report a count"
    emg.close_round(None, rnd)
    assert title not in _titles(teacher, tree["a"])


def test_the_work_plan_cites_the_plans_in_force(tree, plan):
    from fangfan.documents.plan import build

    d = docx.Document(io.BytesIO(build(tree["a"], "en")))
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "Scenario")
    assert [c.text for c in table.rows[1].cells] == [
        "Knife attack", plan.title, "1", plan.approved_on.isoformat()]
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(build(tree["b"], "en")))
                     .paragraphs)
    assert "No emergency plan of the unit has been approved in Fangfan yet." in body
