"""Record type declarations of the standards app."""
from django.utils import timezone

from fangfan.core.models import Role
from fangfan.core.registry import RecordType, register
from fangfan.standards.models import Pack, PackActivation, Requirement, Result

register(RecordType(
    model=PackActivation,
    slug="pack-activations",
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
    area="std",
    list_fields=["requirement", "status", "required", "actual", "governing", "unit"],
    form_fields=["unit", "requirement", "status", "required", "actual", "governing", "reason"],
    filter_fields=["status", "requirement__category", "requirement__pack", "governing"],
    search_fields=["requirement__ref", "requirement__urn"],
    lookups={"requirement": "urn"},
    # Results are computed by the engine, never entered: everyone who reads them reads only.
    roles={Role.SYSTEM_ADMIN: READ, Role.SUPERVISOR: READ, Role.UNIT_ADMIN: READ,
           Role.PRINCIPAL: READ, Role.AUDITOR: READ},
    example=lambda unit: {"unit": unit, "requirement": Requirement.objects.order_by("pk").first(),
                          "status": "unmet", "required": 2, "actual": 1,
                          "pack_version": 1, "computed_at": timezone.now()},
    example_update=lambda obj: {"status": "met", "actual": 2},
))
