"""The demo school's budget, chemicals cabinet and bus: every new rule of the seed pack
met or unmet for a reason the records show, none unknown; the overdue inspection and
the expiring qualification are on the school's home page."""
from __future__ import annotations

from django.core.management import call_command
from django.utils import timezone

from fangfan.core.models import Unit, User
from fangfan.resources.models import HazmatItem, SchoolBus, SecurityBudget
from fangfan.standards import engine, facts
from fangfan.standards.models import Result


def test_demo_school_meets_or_misses_each_new_rule_for_a_visible_reason(db, client):
    call_command("demo")
    school = Unit.objects.get(code="xinqiao")
    engine.evaluate_subtree([school.parent.path])
    status = dict(Result.objects.filter(unit=school, requirement__urn__contains=":res-")
                  .values_list("requirement__urn", "status"))
    seed = "urn:fangfan:pack:seed:"
    assert status == {seed + "res-funding": "met", seed + "res-hazmat": "met",
                      seed + "res-bus": "unmet", seed + "res-bus-driver": "met"}
    # The lab the cabinet stands in has its camera and intrusion detector (R-TECH).
    assert facts.compute_unit(school.path)[school.path]["risk_rooms_unprotected"] == 0
    budget = SecurityBudget.objects.get(unit=school, year=timezone.localdate().year)
    assert budget.spent == sum(line.spent for line in budget.lines.all())
    assert HazmatItem.objects.get(unit=school, name="无水乙醇").stock == 1800
    assert SchoolBus.objects.get(unit=school).inspection_overdue
    # A school without buses or stores is not asked (春江 has neither).
    other = dict(Result.objects.filter(unit__code="chunjiang", requirement__urn__in=[
        seed + "res-hazmat", seed + "res-bus", seed + "res-bus-driver"])
        .values_list("requirement__urn", "status"))
    assert set(other.values()) == {"not_applicable"}
    client.force_login(User.objects.get(username="xinqiao_admin"))
    page = client.get("/").content.decode()
    assert "苏DX2618" in page and "钱国强" in page
