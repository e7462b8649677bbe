"""Record type declarations of the standards app."""
from fangfan.core.models import Role
from fangfan.core.registry import RecordType, register
from fangfan.standards.models import Pack, PackActivation

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
