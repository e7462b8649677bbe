"""Record type declarations of the standards app."""
from datetime import date

from django.utils import timezone

from fangfan.core.models import Role
from fangfan.core.registry import RecordType, register
from fangfan.standards.models import (
    CalendarDay,
    Obligation,
    Pack,
    PackActivation,
    Requirement,
    Result,
    SchoolTerm,
)

register(RecordType(
    model=PackActivation,
    slug="pack-activations",
    on_home=False,
    area="std",
    list_fields=["pack", "unit", "created_at"],
    form_fields=["unit", "pack"],
    filter_fields=["pack"],
    # Authorities choose the packs for their subtree (STD-1); units only read the choice.
    roles={Role.SUPERVISOR: {"view", "add", "change", "delete", "export"},
           Role.UNIT_ADMIN: {"view", "export"}},
    example=lambda unit: {"unit": unit, "pack": Pack.objects.order_by("urn").first()},
    example_update=lambda obj: {"pack": Pack.objects.exclude(pk=obj.pack_id).first()},
))

READ = {"view", "export"}

register(RecordType(
    model=Result,
    slug="compliance-results",
    on_home=False,
    area="std",
    list_fields=["requirement", "status", "required", "actual", "governing", "unit"],
    form_fields=["unit", "requirement", "status", "required", "actual", "governing", "reason"],
    # The missing records and the facts used are explained above them, in words.
    detail_fields=["unit", "requirement", "status", "required", "actual", "governing",
                   "computed_at"],
    filter_fields=["status", "requirement__category", "requirement__pack", "governing"],
    search_fields=["requirement__ref", "requirement__urn"],
    lookups={"requirement": "short_title"},
    # Results are computed by the engine, never entered: everyone who reads them reads only.
    roles={Role.SYSTEM_ADMIN: READ, Role.SUPERVISOR: READ, Role.UNIT_ADMIN: READ,
           Role.PRINCIPAL: READ, Role.AUDITOR: READ},
    example=lambda unit: {"unit": unit, "requirement": Requirement.objects.order_by("pk").first(),
                          "status": "unmet", "required": 2, "actual": 1,
                          "pack_version": 1, "computed_at": timezone.now()},
    example_update=lambda obj: {"status": "met", "actual": 2},
))


register(RecordType(
    model=SchoolTerm,
    slug="school-terms",
    on_home=False,
    area="std",
    list_fields=["school_year", "number", "starts_on", "ends_on", "unit"],
    form_fields=["unit", "school_year", "number", "starts_on", "ends_on"],
    filter_fields=["school_year", "number"],
    # Authorities set the terms of their region; a unit may override them with its own.
    roles={Role.SUPERVISOR: {"view", "add", "change", "delete", "import", "export"},
           Role.GUARD: set(), Role.STAFF: {"view"}},
    example=lambda unit: {"unit": unit, "school_year": 2026, "number": 1,
                          "starts_on": date(2026, 9, 1), "ends_on": date(2027, 1, 22)},
    example_update=lambda obj: {"ends_on": date(2027, 1, 29)},
))

register(RecordType(
    model=CalendarDay,
    slug="calendar-days",
    on_home=False,
    area="std",
    list_fields=["date", "kind", "name", "unit"],
    form_fields=["unit", "date", "kind", "name"],
    filter_fields=["kind"],
    search_fields=["name"],
    # Like the terms: an authority records its region's holidays and make-up school days,
    # a unit its own; the units below read those that apply to them.
    shared_down=True,
    roles={Role.SUPERVISOR: {"view", "add", "change", "delete", "import", "export"},
           Role.GUARD: {"view"}, Role.STAFF: {"view"}},
    example=lambda unit: {"unit": unit, "date": date(2026, 10, 1), "kind": "holiday",
                          "name": "国庆节"},
    example_update=lambda obj: {"name": "国庆节、中秋节"},
))

register(RecordType(
    model=Obligation,
    slug="obligations",
    on_home=False,
    area="std",
    list_fields=["requirement", "due_on", "status", "done_on", "unit"],
    form_fields=["done_on", "note"],
    import_fields=["unit", "requirement", "period_start", "period_end", "due_on", "status",
                   "done_on", "note"],
    detail_fields=["unit", "requirement", "period_start", "period_end", "due_on", "status",
                   "done_on", "note"],
    filter_fields=["status", "requirement__category"],
    search_fields=["requirement__ref", "note"],
    lookups={"requirement": "short_title"},
    # Obligations are generated from the packs; the unit marks them done with evidence.
    roles={Role.SYSTEM_ADMIN: {"view", "change", "export"}, Role.SUPERVISOR: READ,
           Role.UNIT_ADMIN: {"view", "change", "export"}, Role.PRINCIPAL: READ,
           Role.AUDITOR: READ},
    example=lambda unit: {"unit": unit, "requirement": Requirement.objects.filter(
        spec__has_key="period").order_by("pk").first(), "period_start": date(2026, 11, 1),
        "period_end": date(2026, 11, 30), "due_on": date(2026, 11, 30)},
    example_update=lambda obj: {"done_on": date(2026, 11, 20), "note": "已完成自查"},
))
