"""Audit chain: one chained entry per service write; any tampering is detected."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangfan.core import audit, registry, services
from fangfan.core.models import AuditChainHead, AuditEntry
from fangfan.resources.models import Location


def _count() -> int:
    return AuditEntry.objects.count()


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_every_service_write_leaves_exactly_one_entry(rt, tree, unit_admin, django_user_model):
    actor = django_user_model.objects.create_superuser("root-" + rt.slug, password="x" * 12)
    data = rt.example(tree["a"])  # may create the records it refers to
    before = _count()
    obj = services.create_record(actor, rt.model, data)
    assert _count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.record_id, entry.actor_name) == ("create", str(obj.pk),
                                                                 actor.username)
    assert entry.unit_path == services._path_of(obj)

    if rt.example_update:
        changes = rt.example_update(obj)
    else:
        field = next(n for n in rt.form_fields if n in ("name", "notes", "quantity", "phone"))
        changes = {field: 7 if field == "quantity" else "改过"}
    services.update_record(actor, obj, changes)
    assert _count() == before + 2
    change = AuditEntry.objects.latest("id")
    names = {obj._meta.get_field(n).attname for n in changes}
    stored = {k: v for k, v in audit.snapshot(obj).items() if k in names}
    assert change.action == "update" and stored.items() <= change.after.items()

    services.delete_record(actor, obj)
    assert _count() == before + 3
    assert AuditEntry.objects.latest("id").action == "delete"
    assert audit.verify() is None


def test_entries_chain_per_top_level_unit(tree):
    entries = list(AuditEntry.objects.filter(chain=tree["city"].path).order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    for prev, e in zip(entries, entries[1:], strict=False):
        assert e.prev_hash == prev.hash
    head = AuditChainHead.objects.get(chain=tree["city"].path)
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)


def test_no_entry_when_nothing_changed(tree):
    loc = services.create_record(None, Location, {"unit": tree["a"], "name": "门",
                                                  "kind": "main_gate"})
    n = _count()
    services.update_record(None, loc, {"name": "门"})
    assert _count() == n


def test_failed_write_leaves_no_entry_and_no_record(tree):
    n = _count()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_record(None, Location, {"unit": tree["a"], "name": "",
                                                "kind": "main_gate"})
    assert _count() == n and not Location.objects.exists()


@pytest.fixture
def chain(tree):
    for i in range(5):
        services.create_record(None, Location, {"unit": tree["a"], "name": f"L{i}",
                                                "kind": "other"})
    assert audit.verify() is None
    return list(AuditEntry.objects.order_by("chain", "seq"))


def _verify_fails(match: str) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert match in str(exc.value)
    return str(exc.value)


def test_verify_command_passes_when_intact(chain, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_changed_entry_is_detected(chain):
    victim = chain[6]
    AuditEntry.objects.filter(pk=victim.pk).update(after={"name": "forged"})
    msg = _verify_fails("content does not match")
    assert f"id={victim.pk}" in msg


def test_deleted_entry_is_detected(chain):
    victim = chain[6]
    AuditEntry.objects.filter(pk=victim.pk).delete()
    _verify_fails("entry missing")


def test_deleted_tail_is_detected(chain):
    AuditEntry.objects.filter(pk=chain[-1].pk).delete()
    _verify_fails("entries removed from the end")


def test_inserted_entry_is_detected(chain):
    seven = chain[7]
    # Make room after entry 7 and insert a forged entry with a correct own hash.
    for e in AuditEntry.objects.filter(chain=seven.chain, seq__gt=seven.seq).order_by("-seq"):
        AuditEntry.objects.filter(pk=e.pk).update(seq=e.seq + 1)
    forged = AuditEntry(chain=seven.chain, seq=seven.seq + 1, created_at=seven.created_at,
                        actor_name="mallory", unit_path=seven.unit_path,
                        record_type=seven.record_type, record_id="999", record_repr="x",
                        action="delete", before=None, after=None, prev_hash=seven.hash)
    forged.hash = audit.entry_hash(forged)
    forged.save()
    _verify_fails("previous hash does not match")


def test_rehashed_entry_is_detected(chain):
    """Recomputing the changed entry's own hash still breaks the next link."""
    victim = AuditEntry.objects.get(pk=chain[6].pk)
    victim.after = {"name": "forged"}
    victim.hash = audit.entry_hash(victim)
    victim.save()
    _verify_fails("previous hash does not match")
