"""RES-7 funding, RES-8 hazardous materials under two locks, RES-9 school buses: each
refusal names its field and saves nothing; spending, stock and bus due dates follow
their records; the facts and the seed pack's rules read them, and ask nothing of units
without stores or buses."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangfan.core import services
from fangfan.core.tests.helpers import refused
from fangfan.resources.models import (
    BudgetLine,
    BusDriver,
    BusInspection,
    BusRoute,
    Certificate,
    HazmatItem,
    HazmatMovement,
    HazmatStore,
    Location,
    Person,
    SchoolBus,
    SecurityBudget,
)
from fangfan.standards import engine, facts
from fangfan.standards.models import Result


def today() -> dt.date:
    return timezone.localdate()


def person(unit, name, **extra) -> Person:
    return services.create_record(None, Person, {"unit": unit, "name": name, **extra})


def status(unit, rid: str) -> tuple[str, float | None]:
    engine.evaluate_units([unit.path])
    r = Result.objects.get(unit=unit, requirement__urn="urn:fangfan:pack:seed:" + rid)
    return r.status, r.actual


def values(unit) -> dict:
    return facts.compute_unit(unit.path).get(unit.path, {})


# --- funding ------------------------------------------------------------------------------
def budget(unit, year=None, amount="100000") -> SecurityBudget:
    return services.create_record(None, SecurityBudget, {
        "unit": unit, "year": year or today().year, "budgeted": Decimal(amount)})


def line(unit, b, item="器械", budgeted="10000", spent="0", **extra) -> BudgetLine:
    return services.create_record(None, BudgetLine, {
        "unit": unit, "budget": b, "item": item, "category": "equipment",
        "budgeted": Decimal(budgeted), "spent": Decimal(spent), **extra})


@pytest.mark.parametrize(("amount", "says"), [
    ("-1", "cannot be negative"), ("1e18", "not credible"), ("1000000000", "not credible")])
def test_amounts_out_of_range_are_refused_with_the_reason(tree, amount, says):
    assert says in refused("budgeted", budget, tree["a"], amount=amount)
    assert not SecurityBudget.objects.exists()
    b = budget(tree["a"])
    assert says in refused("spent", line, tree["a"], b, spent=amount)
    assert not BudgetLine.objects.exists()


def test_spending_is_the_sum_of_the_lines_and_lines_stay_within_the_budget(tree):
    b = budget(tree["a"], amount="50000")
    first = line(tree["a"], b, budgeted="30000", spent="12000.50")
    line(tree["a"], b, item="保安服务", budgeted="20000", spent="18000")
    b.refresh_from_db()
    assert b.spent == Decimal("30000.50")
    assert "more than the budget" in refused("budgeted", line, tree["a"], b, budgeted="0.01")
    assert "cannot be less" in refused("budgeted", services.update_record, None, b,
                                       {"budgeted": Decimal("40000")})
    services.update_record(None, first, {"spent": Decimal("1000")})
    services.delete_record(None, BudgetLine.objects.get(item="保安服务"))
    b.refresh_from_db()
    assert b.spent == Decimal("1000")
    refused("year", budget, tree["a"])  # one budget a year
    refused("budget", line, tree["b"], b)  # another unit's budget


def test_the_funding_rule_reads_this_years_budget_with_lines(tree):
    a = tree["a"]
    assert values(a).get("security_budget_this_year") is None  # nothing recorded: unknown
    assert status(a, "res-funding")[0] == "unknown"
    last = budget(a, year=today().year - 1)
    line(a, last)
    assert status(a, "res-funding")[0] == "unmet"  # only last year's
    this = budget(a)
    assert status(a, "res-funding")[0] == "unmet"  # a budget without lines
    line(a, this)
    assert status(a, "res-funding")[0] == "met"


# --- hazardous materials ----------------------------------------------------------------
@pytest.fixture
def store(tree):
    a = tree["a"]
    lab = services.create_record(None, Location, {"unit": a, "name": "化学实验室",
                                                  "kind": "lab"})
    return services.create_record(None, HazmatStore, {
        "unit": a, "name": "药品柜", "location": lab,
        "custodian_1": person(a, "刘宇婷"), "custodian_2": person(a, "周雨龙")})


def material(store, name="浓硫酸") -> HazmatItem:
    return services.create_record(None, HazmatItem, {
        "unit": store.unit, "store": store, "name": name, "category": "corrosive",
        "measure": "ml"})


def move(item, kind, qty, first=None, second=None, **extra) -> HazmatMovement:
    store = item.store
    return services.create_record(None, HazmatMovement, {
        "unit": item.unit, "item": item, "kind": kind, "quantity": Decimal(qty),
        "purpose": "化学实验课", "signed_by_1": first or store.custodian_1,
        "signed_by_2": second or store.custodian_2, **extra})


def test_stock_is_computed_from_the_log(store):
    acid = material(store)
    move(acid, "receipt", "500")
    out = move(acid, "issue", "120.5")
    move(acid, "return", "20")
    move(acid, "disposal", "9.5")
    acid.refresh_from_db()
    assert acid.stock == Decimal("390")
    services.update_record(None, out, {"quantity": Decimal("100.5")})
    services.delete_record(None, HazmatMovement.objects.get(kind="disposal"))
    acid.refresh_from_db()
    assert acid.stock == Decimal("419.5")


def test_two_signatures_of_the_two_custodians_or_nothing(store):
    acid = material(store)
    move(acid, "receipt", "500")
    keeper = store.custodian_1
    assert "same person" in refused("signed_by_2", move, acid, "issue", "10", keeper, keeper)
    assert "This field" in refused("signed_by_2", services.create_record, None,
                                   HazmatMovement, {"unit": store.unit, "item": acid,
                                                    "kind": "issue", "quantity": 1,
                                                    "purpose": "实验", "signed_by_1": keeper})
    stranger = person(store.unit, "陈志强")
    assert "Not a custodian" in refused("signed_by_2", move, acid, "issue", "10", keeper,
                                        stranger)
    assert HazmatMovement.objects.count() == 1


def test_more_than_the_stock_cannot_leave_and_the_log_cannot_go_below_zero(store):
    acid = material(store)
    receipt = move(acid, "receipt", "100")
    assert "Only 100" in refused("quantity", move, acid, "issue", "100.001")
    move(acid, "issue", "80")
    refused("quantity", services.update_record, None, receipt, {"quantity": Decimal("50")})
    with pytest.raises(ValidationError, match="less than nothing"):
        services.delete_record(None, receipt)
    acid.refresh_from_db()
    assert acid.stock == Decimal("20") and HazmatMovement.objects.count() == 2


def test_a_store_needs_two_different_key_holders(store):
    refused("custodian_2", services.update_record, None, store,
            {"custodian_2": store.custodian_1})
    services.update_record(None, store, {"custodian_2": None})  # recorded as it is: a gap
    acid = material(store)
    assert "two custodians" in refused("item", move, acid, "receipt", "1", store.custodian_1,
                                       store.custodian_1)


def test_hazmat_rule_from_records_and_not_asked_without_stores(store, tree):
    a, b = tree["a"], tree["b"]
    person(b, "某人")
    assert status(b, "res-hazmat")[0] == "not_applicable"
    acid = material(store)
    move(acid, "receipt", "100")
    assert status(a, "res-hazmat")[0] == "met"
    # A log written around Fangfan (a restore of old paper records) shows its gap.
    HazmatMovement.objects.create(unit=a, unit_path=a.path, item=acid, kind="issue",
                                  quantity=1, purpose="旧记录", signed_by_1=store.custodian_1)
    assert values(a)["hazmat_single_signed_issues"] == 1
    assert status(a, "res-hazmat")[0] == "unmet"
    HazmatMovement.objects.filter(purpose="旧记录").delete()
    services.update_record(None, store, {"custodian_2": None})
    assert values(a)["hazmat_stores_without_two_custodians"] == 1
    assert status(a, "res-hazmat")[0] == "unmet"


# --- school buses -------------------------------------------------------------------------
def bus(unit, plate="苏D12345", **extra) -> SchoolBus:
    return services.create_record(None, SchoolBus, {
        "unit": unit, "plate": plate, "seats": 45, "operator": "本校",
        "inspection_due_on": today() + dt.timedelta(days=100),
        "insured_until": today() + dt.timedelta(days=100), **extra})


def qualification(who, **extra) -> Certificate:
    return services.create_record(None, Certificate, {
        "unit": who.unit, "person": who, "kind": "school_bus_driver",
        "issued_on": today() - dt.timedelta(days=300), **extra})


def driver(who) -> BusDriver:
    return services.create_record(None, BusDriver, {"unit": who.unit, "person": who})


@pytest.mark.parametrize("plate", ["12345", "苏12345", "苏DI2345", "沪A1234", "AB12345",
                                   "苏D1234567", "X" * 16])
def test_a_plate_that_is_not_chinese_is_refused(tree, plate):
    assert "Not a Chinese plate" in refused("plate", bus, tree["a"], plate=plate)
    assert not SchoolBus.objects.exists()


@pytest.mark.parametrize(("typed", "stored"), [("苏d·12345", "苏D12345"),
                                               ("粤B D12345", "粤BD12345")])
def test_plates_are_stored_in_one_form(tree, typed, stored):
    assert bus(tree["a"], plate=typed).plate == stored


def test_a_driver_without_a_valid_qualification_is_refused(tree):
    who = person(tree["a"], "钱师傅")
    says = refused("person", driver, who)
    assert "no school bus driving qualification" in says
    services.create_record(None, Certificate, {"unit": who.unit, "person": who,
                                               "kind": "driver_qualification",
                                               "issued_on": today()})
    refused("person", driver, who)  # a general driver qualification is not enough
    qualification(who, expires_on=today() - dt.timedelta(days=1))
    refused("person", driver, who)  # expired
    assert not BusDriver.objects.exists()
    qualification(who, expires_on=today())
    driver(who)


def test_passed_annual_inspection_moves_the_due_date_and_the_rules_follow(tree):
    a, b = tree["a"], tree["b"]
    person(b, "某人")
    assert status(b, "res-bus")[0] == "not_applicable"  # no buses: nothing asked
    assert status(b, "res-bus-driver")[0] == "not_applicable"
    manager = person(a, "姚建法")
    late = bus(a, inspection_due_on=today() - dt.timedelta(days=3), safety_manager=manager)
    assert values(a)["buses_inspection_overdue"] == 1
    assert status(a, "res-bus") == ("unmet", None)
    assert status(a, "res-bus-driver")[0] == "unknown"  # no drivers recorded yet
    refused("next_due_on", services.create_record, None, BusInspection, {
        "unit": a, "bus": late, "done_on": today(), "kind": "annual_inspection"})
    services.create_record(None, BusInspection, {
        "unit": a, "bus": late, "done_on": today(), "kind": "annual_inspection",
        "next_due_on": today() + dt.timedelta(days=365)})
    late.refresh_from_db()
    assert late.inspection_due_on == today() + dt.timedelta(days=365)
    assert status(a, "res-bus")[0] == "met"
    services.update_record(None, late, {"safety_manager": None})
    assert status(a, "res-bus")[0] == "unmet"


def test_an_expired_qualification_is_a_gap_not_a_locked_record(tree):
    a = tree["a"]
    bus(a, safety_manager=person(a, "姚建法"))
    who = person(a, "钱师傅")
    cert = qualification(who, expires_on=today() + dt.timedelta(days=10))
    d = driver(who)
    assert status(a, "res-bus-driver") == ("met", 0)
    Certificate.objects.filter(pk=cert.pk).update(expires_on=today() - dt.timedelta(days=1))
    assert status(a, "res-bus-driver") == ("unmet", 1)
    services.update_record(None, d, {"licence_class": "A1"})  # still editable
    services.update_record(None, d, {"active": False})  # taken off duty: no longer a gap
    assert status(a, "res-bus-driver") == ("met", 0)
    refused("person", services.update_record, None, d, {"active": True})


def test_a_route_needs_a_driver_on_duty_and_a_time(tree):
    a = tree["a"]
    who = person(a, "钱师傅")
    qualification(who)
    d = driver(who)
    coach = bus(a)
    data = {"unit": a, "name": "东线", "bus": coach, "driver": who, "stops": "镇政府\n学校"}
    refused("morning_departure", services.create_record, None, BusRoute, data)
    services.update_record(None, d, {"active": False})
    refused("driver", services.create_record, None, BusRoute,
            {**data, "morning_departure": dt.time(6, 50)})
    services.update_record(None, d, {"active": True})
    services.create_record(None, BusRoute, {**data, "morning_departure": dt.time(6, 50)})


def test_bus_inspections_due_are_home_page_work_in_constant_queries(tree, make_user, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from fangfan.core.models import Role

    a = tree["a"]
    client.force_login(make_user(Role.UNIT_ADMIN, a))
    first = bus(a, inspection_due_on=today() - dt.timedelta(days=2))
    bus(a, plate="苏D99999", inspection_due_on=today() + dt.timedelta(days=200))  # not yet
    with CaptureQueriesContext(connection) as few:
        html = client.get(reverse("home")).content.decode()
    work = html.split('data-section="')  # the work sections, not the recent changes
    work = "".join(part for part in work[1:] if not part.startswith("recent"))
    assert "Annual inspection of bus 苏D12345" in work and "bus 苏D99999" not in work
    add = reverse("records:bus-inspections-add")
    assert f"{add}?bus={first.pk}&amp;unit={a.pk}&amp;kind=annual_inspection" in html
    for i in range(4):
        bus(a, plate=f"苏D1000{i}", inspection_due_on=today() + dt.timedelta(days=10))
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("home")).content.decode()
    assert html.count("Log the inspection") == 5
    assert len(many) == len(few)
