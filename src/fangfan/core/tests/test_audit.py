"""Audit chain: one chained entry per service write; any tampering is detected."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from fangfan.core import audit, registry, services
from fangfan.core.models import AuditChainHead, AuditEntry
from fangfan.core.tests.helpers import hold_grant, in_thread
from fangfan.resources.models import Location


def _count(rt=None) -> int:
    """Entries of records of `rt` (a write's follow-up, e.g. a fault marking its asset
    faulty, is its own entry on the other record)."""
    entries = AuditEntry.objects.all()
    return (entries.filter(record_type=rt.label) if rt else entries).count()


@pytest.mark.parametrize("rt", registry.record_types(), ids=lambda rt: rt.slug)
def test_every_service_write_leaves_exactly_one_entry(rt, tree, unit_admin, django_user_model):
    actor = django_user_model.objects.create_superuser("root-" + rt.slug, password="x" * 12)
    hold_grant(rt, actor, tree["a"])
    data = rt.example(tree["a"])  # may create the records it refers to
    before = _count(rt)
    obj = services.create_record(actor, rt.model, data)
    assert _count(rt) == before + 1
    entry = AuditEntry.objects.filter(record_type=rt.label).latest("id")
    assert (entry.action, entry.record_id, entry.actor_name) == ("create", str(obj.pk),
                                                                 actor.username)
    assert entry.unit_path == services._path_of(obj)

    if rt.example_update:
        changes = rt.example_update(obj)
    else:
        field = next(n for n in rt.form_fields if n in ("name", "notes", "quantity", "phone"))
        changes = {field: 7 if field == "quantity" else "改过"}
    services.update_record(actor, obj, changes)
    assert _count(rt) == before + 2
    change = AuditEntry.objects.filter(record_type=rt.label).latest("id")
    names = {obj._meta.get_field(n).attname for n in changes}
    stored = {k: v for k, v in audit.snapshot(obj).items() if k in names}
    assert change.action == "update" and stored.items() <= change.after.items()

    services.delete_record(actor, obj)
    assert _count(rt) == before + 3
    assert AuditEntry.objects.filter(record_type=rt.label).latest("id").action == "delete"
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


# --- Reading the log: names, labels and times, never columns or codes (issue 8, item 3).

def _asset_history(tree, actor, n: int = 1):
    """n assets at a location, each moved to another location and marked faulty."""
    from fangfan.resources.models import Asset

    gate, hall = (Location.objects.filter(unit=tree["a"], name=name).first()
                  or services.create_record(actor, Location, {"unit": tree["a"], "name": name,
                                                              "kind": "other"})
                  for name in ("南门", "礼堂"))
    assets = []
    for i in range(n):
        asset = services.create_record(actor, Asset, {
            "unit": tree["a"], "category": "camera", "name": f"摄像机{i}", "location": gate})
        services.update_record(actor, asset, {"status": "faulty", "location": hall,
                                              "night_capable": True})
        assets.append(asset)
    return assets


def test_record_page_history_reads_as_changes_in_chinese(tree, make_user, client):
    admin = make_user("unit_admin", tree["a"], username="zh-hist", language="zh-hans")
    (asset,) = _asset_history(tree, admin)
    client.force_login(admin)
    html = client.get(reverse("records:assets-detail", args=[asset.pk])).content.decode()
    history = html[html.index('data-testid="history"'):]
    assert "状态</span>: 在用 → 故障" in history
    assert "部位</span>: 南门 → 礼堂" in history
    assert "否" not in history and ": — → 是" in history  # night capable: unset → yes
    for code in ("in_service", "faulty", "location_id", "status", "True"):
        assert code not in history, code
    local = timezone.localtime(AuditEntry.objects.latest("id").created_at)
    assert local.strftime("%Y-%m-%d %H:%M:%S") in history


def test_audit_log_names_types_and_related_records(tree, make_user, client):
    admin = make_user("unit_admin", tree["a"], username="zh-log", language="zh-hans")
    _asset_history(tree, admin)
    client.force_login(admin)
    html = client.get(reverse("audit-log")).content.decode()
    table = html[html.index('data-testid="audit-table"'):]
    assert "安防设施" in table or "资产" in table or "设施" in table
    assert "resources.asset" not in table and "core.rolegrant" not in table
    assert "南门 → 礼堂" in table and "在用 → 故障" in table
    assert '<option value="core.rolegrant">角色授权</option>' in html  # filterable too
    entry = AuditEntry.objects.filter(action="update").latest("id")
    page = client.get(reverse("audit-entry", args=[entry.pk])).content.decode()
    assert "南门" in page and "礼堂" in page and "location_id" not in page
    assert reverse("records:assets-detail", args=[entry.record_id]) in page
    assert f"{tree['city'].name} #{entry.seq}" in page and tree["city"].path not in page


def test_role_grants_read_as_their_type_and_role(tree, make_user):
    user = make_user("auditor", tree["district"], username="reader")
    with translation.override("zh-hans"):
        (shown,) = audit.present(AuditEntry.objects.filter(record_type="core.rolegrant",
                                                           record_id=str(user.grants.get().pk)))
        assert shown.type_name != "core.rolegrant"
        values = {c.label: c.after for c in shown.changes}
    assert "reader" in values.values() and "测试区教育局" in values.values()
    assert not any("_id" in label or label == "unit_path" for label in values)


def test_audit_log_page_reads_related_names_in_constant_queries(tree, unit_admin, client):
    client.force_login(unit_admin)
    _asset_history(tree, unit_admin, n=2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("audit-log")).status_code == 200
    _asset_history(tree, unit_admin, n=12)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("audit-log")).content.decode()
    assert html.count("南门 → 礼堂") >= 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_actors_read_by_name_and_the_system_as_such(tree, make_user):
    admin = make_user("unit_admin", tree["a"], username="guo")
    admin.first_name, admin.last_name = "建刚", "郭"
    admin.save()
    services.create_record(admin, Location, {"unit": tree["a"], "name": "北门", "kind": "other"})
    services.create_record(None, Location, {"unit": tree["a"], "name": "西门", "kind": "other"})
    shown = {s.entry.record_repr: s.actor
             for s in audit.present(AuditEntry.objects.filter(record_type="resources.location"))}
    assert shown["北门"] == admin.get_full_name() and shown["西门"] == "System"


def test_attachments_and_passwords_read_without_ids_or_secrets(tree, unit_admin, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fangfan.core import accounts, evidence

    loc = services.create_record(unit_admin, Location, {"unit": tree["a"], "name": "东门",
                                                        "kind": "other"})
    evidence.attach(unit_admin, loc, SimpleUploadedFile("验收单.pdf", b"x" * 2048))
    guard = make_user("guard", tree["a"], username="guard-a")
    accounts.set_password(unit_admin, guard, "another-long-pass-9")
    attached, changed = audit.present(AuditEntry.objects.filter(action__in=["attach", "update"])
                                      .order_by("id"))
    assert {c.label: c.after for c in attached.changes} == {
        "File": "验收单.pdf", "Size": "2.0\xa0KB", "SHA-256": attached.entry.after["sha256"]}
    assert [(c.label, c.after) for c in changed.changes] == [("Password", "changed")]


def test_home_recent_changes_name_the_type_and_who(tree, make_user, client):
    admin = make_user("unit_admin", tree["a"], username="zh-home", language="zh-hans")
    services.create_record(None, Location, {"unit": tree["a"], "name": "操场", "kind": "other"})
    client.force_login(admin)
    html = client.get(reverse("home")).content.decode()
    recent = html[html.index("最近变更"):]
    assert "操场" in recent and "部位" in recent and "系统" in recent
    assert ">system<" not in recent and "resources.location" not in recent


class Boom(Exception):
    pass


def test_a_write_chains_its_entries_when_it_ends(tree):
    """Inside a write (`chained_at_end`) entries wait unchained, the head untouched;
    those of a savepoint rolled back inside are dropped; the rest are chained at the end,
    in order, and the chain verifies."""
    from django.db import transaction

    head = AuditChainHead.objects.get(chain=audit.chain_of(tree["a"].path))
    entries = AuditEntry.objects.count()
    with transaction.atomic(), audit.chained_at_end():
        audit.record(None, tree["a"], "update", {"name": "1"}, {"name": "2"}, tree["a"].path)
        try:
            with transaction.atomic():
                audit.record(None, tree["b"], "update", {"name": "x"}, {"name": "y"},
                             tree["b"].path)
                raise Boom
        except Boom:
            pass
        with audit.chained_at_end():  # nested: the outermost chains
            audit.record(None, tree["a"], "update", {"name": "2"}, {"name": "3"},
                         tree["a"].path)
        assert AuditEntry.objects.count() == entries
        assert AuditChainHead.objects.get(pk=head.pk).seq == head.seq
    kept = list(AuditEntry.objects.order_by("-id")[:2])[::-1]
    assert AuditEntry.objects.count() == entries + 2
    assert [e.after for e in kept] == [{"name": "2"}, {"name": "3"}]
    assert [e.seq for e in kept] == [head.seq + 1, head.seq + 2]
    assert not [c for c in transaction.get_connection().run_on_commit
                if isinstance(c[1], audit._Pending)]
    assert audit.verify() is None


def test_a_failed_write_chains_nothing(tree):
    from django.db import transaction

    entries = AuditEntry.objects.count()
    with pytest.raises(Boom), transaction.atomic(), audit.chained_at_end():
        audit.record(None, tree["a"], "update", {"name": "1"}, {"name": "2"}, tree["a"].path)
        raise Boom
    assert AuditEntry.objects.count() == entries
    with transaction.atomic():  # outside a write: chained at once
        audit.record(None, tree["a"], "update", {"name": "1"}, {"name": "2"}, tree["a"].path)
        assert AuditEntry.objects.count() == entries + 1
    assert audit.verify() is None


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite admits one writer at a time, whatever the chain does")
@pytest.mark.django_db(transaction=True)
def test_a_write_does_not_hold_the_chain_while_it_works(tree):
    """A slow write that has recorded its change but not ended does not hold the chain's
    head: a second write under the same top-level unit commits meanwhile, and both
    entries end up chained."""
    import threading

    from django.db import transaction

    recorded, done = threading.Event(), threading.Event()

    def slow_write():
        with transaction.atomic(), audit.chained_at_end():
            services.create_record(None, Location, {"unit": tree["a"], "name": "慢",
                                                      "kind": "main_gate"})
            recorded.set()
            assert done.wait(10)

    writer, errors = in_thread(slow_write)
    assert recorded.wait(10), errors
    services.create_record(None, Location, {"unit": tree["b"], "name": "快",
                                                  "kind": "main_gate"})  # not waiting
    done.set()
    writer.join(10)
    assert errors == []
    assert set(Location.objects.values_list("name", flat=True)) >= {"慢", "快"}
    assert audit.verify() is None
