"""Inspections and the hazard lifecycle at the service level (issue 9): every transition
and every refusal, with nothing saved by a refusal."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import AuditEntry, Role
from fangfan.inspections import services as ins
from fangfan.inspections.models import (
    Checklist,
    Finding,
    Hazard,
    HazardStep,
    Inspection,
    ItemResult,
)
from fangfan.resources.models import Person
from fangfan.standards.models import Obligation

TODAY = timezone.localdate()


@pytest.fixture
def people(tree, make_user):
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    principal = make_user(Role.PRINCIPAL, tree["a"])
    staff = make_user(Role.STAFF, tree["a"])
    guard = make_user(Role.GUARD, tree["a"])
    supervisor = make_user(Role.SUPERVISOR, tree["district"])
    city = make_user(Role.SUPERVISOR, tree["city"])
    other = make_user(Role.UNIT_ADMIN, tree["b"])
    person = services.create_record(None, Person, {"unit": tree["a"], "name": "郭建刚"})
    return {"admin": admin, "principal": principal, "staff": staff, "guard": guard,
            "supervisor": supervisor, "city": city, "other": other, "person": person}


def _hazard(actor, unit, **extra) -> Hazard:
    return services.create_record(actor, Hazard, {"unit": unit, "title": "南门石球缺失",
                                                  **extra})


def _step(actor, hazard, kind, **extra) -> HazardStep:
    return services.create_record(actor, HazardStep, {
        "unit": hazard.unit, "hazard": hazard, "kind": kind, **extra})


def _assigned(people, tree) -> Hazard:
    h = _hazard(people["guard"], tree["a"])
    _step(people["admin"], h, "assign", responsible=people["person"],
          deadline=TODAY + dt.timedelta(days=7), measures="补装石球")
    h.refresh_from_db()
    return h


def test_lifecycle_found_assigned_rectified_closed(tree, people):
    h = _hazard(people["guard"], tree["a"])
    assert h.status == "found" and h.source == "manual" and h.dispatched_by is None
    _step(people["admin"], h, "assign", responsible=people["person"],
          deadline=TODAY + dt.timedelta(days=7))
    h.refresh_from_db()
    assert (h.status, h.responsible_id) == ("assigned", people["person"].pk)
    _step(people["staff"], h, "rectify", note="已补装两个石球")
    h.refresh_from_db()
    assert (h.status, h.rectified_by_id, h.rectification) == (
        "rectified", people["staff"].pk, "已补装两个石球")
    _step(people["supervisor"], h, "verify", note="现场核实")
    h.refresh_from_db()
    assert (h.status, h.verified_by_id, h.closed_on) == ("closed", people["supervisor"].pk,
                                                         TODAY)
    assert list(h.steps.values_list("kind", flat=True)) == ["assign", "rectify", "verify"]
    # the hazard's own history is audited: each step and each move of the hazard
    assert AuditEntry.objects.filter(record_type="inspections.hazard",
                                     record_id=str(h.pk)).count() == 4


def test_returned_then_rectified_again(tree, people):
    h = _assigned(people, tree)
    _step(people["staff"], h, "rectify", note="已处理")
    _step(people["admin"], h, "return", note="石球未固定")
    h.refresh_from_db()
    assert h.status == "returned"
    _step(people["staff"], h, "rectify", note="已固定")
    h.refresh_from_db()
    assert h.status == "rectified"


def test_created_with_assignment_records_the_step(tree, people):
    h = _hazard(people["admin"], tree["a"], responsible=people["person"],
                deadline=TODAY + dt.timedelta(days=3))
    assert h.status == "assigned"
    assert h.steps.get().kind == "assign"


def _refused(fn, *args, **kwargs) -> ValidationError:
    before = (Hazard.objects.count(), HazardStep.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    assert (Hazard.objects.count(), HazardStep.objects.count(),
            AuditEntry.objects.count()) == before
    return exc.value


def test_deadline_before_discovery_refused(tree, people):
    h = _hazard(people["admin"], tree["a"], found_on=TODAY - dt.timedelta(days=2))
    err = _refused(_step, people["admin"], h, "assign", responsible=people["person"],
                   deadline=TODAY - dt.timedelta(days=5))
    assert "before the hazard was found" in str(err)
    err = _refused(_hazard, people["admin"], tree["a"], responsible=people["person"],
                   deadline=TODAY - dt.timedelta(days=1))
    assert "before the hazard was found" in str(err)


def test_verification_by_the_rectifier_refused(tree, people):
    h = _assigned(people, tree)
    _step(people["admin"], h, "rectify", note="已补装")
    err = _refused(_step, people["admin"], h.__class__.objects.get(pk=h.pk), "verify")
    assert "Someone other than the person who rectified" in str(err)


def test_closing_without_evidence_refused(tree, people):
    h = _assigned(people, tree)
    err = _refused(_step, people["principal"], h, "verify")
    assert "cannot follow" in str(err)
    err = _refused(_step, people["staff"], h, "rectify", note="  ")
    assert "Say what was done" in str(err)


def test_staff_and_guards_do_not_assign_or_verify(tree, people):
    h = _hazard(people["guard"], tree["a"])
    _refused(_step, people["staff"], h, "assign", responsible=people["person"],
             deadline=TODAY + dt.timedelta(days=3))
    err = _refused(_hazard, people["guard"], tree["a"], responsible=people["person"],
                   deadline=TODAY + dt.timedelta(days=3))
    assert "administrators assign" in str(err)


def test_a_step_taken_stays(tree, people):
    h = _assigned(people, tree)
    step = h.steps.get()
    with pytest.raises(ValidationError):
        services.update_record(people["admin"], step, {"deadline": TODAY})
    services.update_record(people["admin"], step, {"note": "补充说明"})


def test_dispatch_from_the_authority(tree, people):
    h = _hazard(people["supervisor"], tree["a"], kind="task")
    assert (h.source, h.dispatched_by_id) == ("dispatch", tree["district"].pk)
    with pytest.raises(services.OutOfScope):
        _hazard(people["other"], tree["a"])


def test_major_hazard_escalates_at_once(tree, people):
    h = _hazard(people["guard"], tree["a"], severity="major")
    h.refresh_from_db()
    assert h.escalated_on == TODAY
    assert people["supervisor"].notifications.filter(link=h.get_absolute_url()).count() == 1


# --- inspections ----------------------------------------------------------------------

def test_self_inspection_copies_checklist_and_fulfils_the_month(tree, people):
    from fangfan.standards import calendar, engine
    from fangfan.standards.models import Requirement

    req = Requirement.objects.get(ref="R-SELF")
    engine.evaluate_units([tree["a"].path])
    calendar.generate(TODAY, [tree["a"].path])
    insp = services.create_record(people["admin"], Inspection, {
        "unit": tree["a"], "kind": "self", "inspectors": "郭建刚"})
    assert insp.findings.count() > 10
    with pytest.raises(ValidationError):
        ins.complete(people["admin"], insp)  # items not checked yet
    for f in insp.findings.all():
        services.update_record(people["admin"], f, {"result": ItemResult.PASS})
    ins.complete(people["admin"], insp)
    ob = Obligation.objects.get(unit=tree["a"], requirement=req, period_start__lte=TODAY,
                                period_end__gte=TODAY)
    assert (ob.done_on, ob.fulfilled_by_type, ob.fulfilled_by_id) == (
        insp.inspected_on, "inspections", str(insp.pk))
    assert ob.fulfilled_by_url == insp.get_absolute_url()  # the calendar links to it
    f = insp.findings.first()
    with pytest.raises(ValidationError):
        services.update_record(people["admin"], f, {"result": ItemResult.FAIL, "note": "x"})


def test_own_checklist_of_the_authority(tree, people):
    cl = services.create_record(people["supervisor"], Checklist, {
        "unit": tree["district"], "name": "开学检查", "kind": "self",
        "items": "门卫到位\n\n石球完好\n"})
    insp = services.create_record(people["admin"], Inspection, {
        "unit": tree["a"], "kind": "self", "inspectors": "张", "checklist": cl})
    assert list(insp.findings.values_list("item", flat=True)) == ["门卫到位", "石球完好"]
    with pytest.raises(ValidationError):
        services.create_record(people["admin"], Inspection, {
            "unit": tree["a"], "kind": "special", "inspectors": "张", "checklist": cl})


def test_supervisory_inspection_by_the_authority_only(tree, people):
    insp = services.create_record(people["supervisor"], Inspection, {
        "unit": tree["a"], "kind": "supervisory", "authority": tree["district"],
        "inspectors": "区教育局安全科"})
    assert insp.by_supervisor
    by_city = services.create_record(people["city"], Inspection, {
        "unit": tree["a"], "kind": "supervisory", "authority": tree["city"],
        "inspectors": "市教育局"})
    assert not by_city.by_supervisor  # counts for no R-SUPV: not the school's supervisor
    before = Inspection.objects.count()
    for actor, authority in ((people["admin"], tree["district"]),
                             (people["supervisor"], tree["city"]),
                             (people["supervisor"], tree["a"])):
        with pytest.raises((ValidationError, services.OutOfScope)):
            services.create_record(actor, Inspection, {
                "unit": tree["a"], "kind": "supervisory", "authority": authority,
                "inspectors": "x"})
    assert Inspection.objects.count() == before


def test_failed_item_becomes_a_hazard_in_one_step(tree, people):
    insp = services.create_record(people["supervisor"], Inspection, {
        "unit": tree["a"], "kind": "supervisory", "authority": tree["district"],
        "inspectors": "区教育局"})
    f = insp.findings.first()
    with pytest.raises(ValidationError):
        services.update_record(people["supervisor"], f, {"result": ItemResult.FAIL})
    services.update_record(people["supervisor"], f, {"result": ItemResult.FAIL,
                                                     "note": "未签订责任书"})
    h = ins.hazard_from_finding(people["supervisor"], Finding.objects.get(pk=f.pk), {})
    assert (h.source, h.finding_id, h.dispatched_by_id, h.title) == (
        "inspection", f.pk, tree["district"].pk, f.item[:200])
    assert h.description == "未签订责任书"


def test_an_inspection_before_its_obligation_still_fulfils_it(tree, people):
    """The month's obligation is generated by the daily job; an inspection finished
    before it exists closes it when it is made."""
    from fangfan.standards import calendar, engine

    insp = services.create_record(people["admin"], Inspection, {
        "unit": tree["a"], "kind": "self", "inspectors": "郭建刚"})
    for f in insp.findings.all():
        services.update_record(people["admin"], f, {"result": ItemResult.NOT_APPLICABLE})
    ins.complete(people["admin"], insp)
    engine.evaluate_units([tree["a"].path])
    calendar.tick(TODAY)
    ob = Obligation.objects.get(unit=tree["a"], requirement__ref="R-SELF",
                                period_start__lte=TODAY, period_end__gte=TODAY)
    assert (ob.done_on, ob.fulfilled_by_id) == (insp.inspected_on, str(insp.pk))
    assert calendar.catch_up(TODAY) == 0  # nothing left to close
