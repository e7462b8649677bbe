"""Private by default (X-3): the masks, the audit chain keeping personal values masked,
edits by someone who sees only the mask, the permission to see in full (explicit only,
audited), the read log and who reads it, the collection notice, the dataset register
and the purge after retention (with the clock given)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fangfan.core import audit, privacy, registry, services
from fangfan.core.models import AuditEntry, PersonalDataGrant, PersonalDataRead, Role
from fangfan.core.privacy import Kind, mask
from fangfan.resources.models import Person

DOCS = Path(__file__).resolve().parents[4] / "docs" / "privacy.md"


def test_masks_per_kind():
    assert mask(Kind.PHONE, "13800000001") == "138****0001"
    assert mask(Kind.IDENTITY, "110101199003071234") == "1101**********1234"
    assert mask(Kind.PLATE, "京A12345") == "京A***45"
    assert mask(Kind.NAME, "张三") == "张*"
    assert mask(Kind.NAME, "欧阳娜娜") == "欧***"
    assert mask(Kind.CHILD, "李小明") == "李**"
    assert mask(Kind.ADDRESS, "江苏省无锡市梁溪区中山路1号") == "江苏省无锡市****"
    assert mask(Kind.FACE, "faces/1.jpg") == "(face photo, not shown)"
    assert mask(Kind.PHONE, "") == "" and mask(Kind.PHONE, None) == ""
    # Short values never come out whole.
    assert mask(Kind.PHONE, "110") != "110" and mask(Kind.NAME, "张") == "*"
    assert mask(Kind.PHONE, "0510-82701234") == "051******1234"


def _person(tree, phone="13800000001") -> Person:
    return services.create_record(None, Person, {"unit": tree["a"], "name": "王晓明",
                                                 "phone": phone})


def test_audit_chain_keeps_personal_values_masked(tree, unit_admin, client):
    person = _person(tree)
    services.update_record(None, person, {"phone": "13900000002"})
    entries = AuditEntry.objects.filter(record_type="resources.person").order_by("seq")
    created, changed = entries
    assert created.after["phone"].startswith("138****0001 #")
    assert changed.before["phone"].startswith("138****0001 #")
    assert changed.after["phone"].startswith("139****0002 #")
    stored = str(created.after) + str(changed.before) + str(changed.after)
    assert "13800000001" not in stored and "13900000002" not in stored
    assert audit.verify() is None
    client.force_login(unit_admin)
    for url in (reverse("audit-log"), reverse("audit-entry", args=[changed.pk])):
        page = client.get(url).content.decode()
        assert "139****0002" in page and "13900000002" not in page \
            and changed.after["phone"] not in page  # nor its digest


def test_entries_written_before_masking_are_shown_masked(tree):
    person = _person(tree)
    old = AuditEntry(record_type="resources.person", record_id=str(person.pk),
                     action="update", before={"phone": "13800000001"},
                     after={"phone": "13900000002"})
    change = audit.present([old])[0].changes[0]
    assert (change.before, change.after) == ("138****0001", "139****0002")


def test_edit_form_without_the_permission_shows_the_mask_and_keeps_the_value(
        tree, unit_admin, client):
    person = _person(tree)
    client.force_login(unit_admin)
    url = reverse("records:people-edit", args=[person.pk])
    page = client.get(url).content.decode()
    assert "138****0001" in page and "13800000001" not in page
    form = {"unit": tree["a"].pk, "name": "王晓明", "phone": "138****0001",
            "employment_type": "staff", "training_hours": 0}
    assert client.post(url, {**form, "post": "教师"}).status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.post) == ("13800000001", "教师")  # kept
    assert client.post(url, {**form, "phone": "13700000003"}).status_code == 302
    person.refresh_from_db()
    assert person.phone == "13700000003"  # replaced without reading it
    assert not PersonalDataRead.objects.exists()


def test_edit_form_with_the_permission_shows_the_value_and_logs_it(tree, unit_admin, client):
    person = _person(tree)
    privacy.grant(None, unit_admin, tree["a"])
    client.force_login(unit_admin)
    page = client.get(reverse("records:people-edit", args=[person.pk])).content.decode()
    assert "13800000001" in page
    read = PersonalDataRead.objects.get()
    assert (read.channel, read.fields, read.user) == ("edit", ["phone"], unit_admin)


def test_api_change_with_the_mask_keeps_the_value(tree, unit_admin, api_client):
    person = _person(tree)
    api_client.force_authenticate(unit_admin)
    data = api_client.get(f"/api/people/{person.pk}/").json()
    assert data["phone"] == "138****0001"
    data.pop("user", None)
    data["post"] = "门卫"
    assert api_client.put(f"/api/people/{person.pk}/", data,
                          format="json").status_code == 200
    person.refresh_from_db()
    assert (person.phone, person.post) == ("13800000001", "门卫")


def test_the_permission_is_explicit_and_audited(tree, make_user, client, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    sysadmin = make_user(Role.SYSTEM_ADMIN, tree["city"])
    auditor = make_user(Role.AUDITOR, tree["district"])
    for user in (root, sysadmin, auditor):  # no role, not even a superuser's, implies it
        assert not privacy.sees_in_full(user, tree["a"].path)
    admin_a = make_user(Role.UNIT_ADMIN, tree["a"])
    guard = make_user(Role.GUARD, tree["a"])
    client.force_login(admin_a)
    assert client.post(reverse("privacy-grant"), {"username": guard.username,
                                                  "unit": tree["a"].pk}).status_code == 302
    grant = PersonalDataGrant.objects.get(user=guard)
    assert privacy.sees_in_full(guard, tree["a"].path)
    assert not privacy.sees_in_full(guard, tree["b"].path)
    entry = AuditEntry.objects.filter(record_type="core.personaldatagrant").get()
    assert (entry.action, entry.actor_name) == ("create", admin_a.username)
    # Not outside the admin's units, nor for a user with no role there.
    client.post(reverse("privacy-grant"), {"username": auditor.username, "unit": tree["b"].pk})
    client.post(reverse("privacy-grant"), {"username": auditor.username, "unit": tree["a"].pk})
    assert list(PersonalDataGrant.objects.filter(user=auditor).values_list(
        "unit", flat=True)) == [tree["a"].pk]  # the auditor's role lies above school A
    other = make_user(Role.GUARD, tree["b"])
    client.post(reverse("privacy-grant"), {"username": other.username, "unit": tree["a"].pk})
    assert not PersonalDataGrant.objects.filter(user=other).exists()
    page = client.get(reverse("accounts-manage")).content.decode()
    assert 'data-testid="privacy-grants"' in page and guard.username in page
    assert client.post(reverse("privacy-revoke", args=[grant.pk])).status_code == 302
    assert not PersonalDataGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.filter(record_type="core.personaldatagrant",
                                     action="delete").exists()
    client.force_login(guard)  # who gives no roles gives no permission
    assert client.post(reverse("privacy-grant"), {"username": guard.username,
                                                  "unit": tree["a"].pk}).status_code == 404


def test_read_log_is_scoped_and_in_words(tree, make_user, client):
    person = _person(tree)
    reader = make_user(Role.UNIT_ADMIN, tree["a"])
    privacy.grant(None, reader, tree["a"])
    client.force_login(reader)
    client.post(reverse("records:people-reveal", args=[person.pk, "phone"]),
                HTTP_HX_REQUEST="true")
    for role, unit, sees in ((Role.AUDITOR, "district", True), (Role.UNIT_ADMIN, "a", True),
                             (Role.UNIT_ADMIN, "b", False)):
        client.force_login(make_user(role, tree[unit], username=f"{role}-{unit}-log"))
        page = client.get(reverse("privacy-reads")).content.decode()
        assert ("王晓明" in page) is sees
        if sees:
            assert "Record page" in page and "Phone" in page and ">page<" not in page
    client.force_login(make_user(Role.GUARD, tree["a"]))
    assert client.get(reverse("privacy-reads")).status_code == 403
    assert client.get(reverse("privacy-datasets")).status_code == 403


def test_a_reveal_without_js_shows_a_page(tree, unit_admin, client):
    person = _person(tree)
    privacy.grant(None, unit_admin, tree["a"])
    client.force_login(unit_admin)
    page = client.post(reverse("records:people-reveal", args=[person.pk, "phone"]))
    assert "13800000001" in page.content.decode()
    assert client.post(reverse("records:people-reveal",
                               args=[person.pk, "name"])).status_code == 404  # not personal


def test_notice_on_the_add_form_only(tree, unit_admin, client):
    client.force_login(unit_admin)
    page = client.get(reverse("records:people-add")).content.decode()
    assert 'data-testid="privacy-notice"' in page
    assert "To reach staff about security duties" in page and "PIPL Art. 13" in page
    assert "Kept as long as the record itself is needed" in page
    person = _person(tree)
    edit = client.get(reverse("records:people-edit", args=[person.pk])).content.decode()
    assert 'data-testid="privacy-notice"' not in edit
    other = client.get(reverse("records:locations-add")).content.decode()
    assert 'data-testid="privacy-notice"' not in other


def test_dataset_register_page_and_docs(tree, make_user, client):
    client.force_login(make_user(Role.AUDITOR, tree["district"]))
    page = client.get(reverse("privacy-datasets")).content.decode()
    for d in privacy.datasets():
        assert d.purpose in page.replace("&#x27;", "'")
    docs = DOCS.read_text(encoding="utf-8")
    missing = [row for row in privacy.register_markdown().splitlines() if row not in docs]
    assert not missing, "regenerate: fangfan purge_personal_data --register"


@pytest.fixture
def kept_30_days(monkeypatch):
    """People kept 30 days after they were recorded, for this test only."""
    rt = registry.get("people")
    monkeypatch.setattr(rt, "personal_data", dataclasses.replace(
        rt.personal_data, retention_days=30, retention_from="created_at",
        retention_setting="FANGFAN_TEST_RETENTION"))
    return rt


def test_purge_after_retention_is_audited(tree, kept_30_days, settings, capsys):
    now = timezone.now()
    old, recent = _person(tree, "13800000011"), _person(tree, "13800000012")
    Person.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=31))
    assert privacy.purge(now=now - dt.timedelta(days=2)) == {}  # not yet due then
    assert privacy.purge(now=now) == {"people": 1}
    assert list(Person.objects.values_list("pk", flat=True)) == [recent.pk]
    entry = AuditEntry.objects.filter(record_type="resources.person", action="delete").get()
    assert entry.actor_id is None and entry.before["phone"].startswith("138****0011 #")
    assert audit.verify() is None
    assert privacy.purge(now=now) == {}  # idempotent
    settings.FANGFAN_TEST_RETENTION = 0  # the installation's setting overrides
    Person.objects.filter(pk=recent.pk).update(created_at=now - dt.timedelta(hours=1))
    call_command("purge_personal_data")
    assert "people: 1 deleted" in capsys.readouterr().out
    assert not Person.objects.exists()


def test_purge_task_runs_the_purge(tree, kept_30_days):
    from fangfan.core.tasks import purge_personal_data

    old = _person(tree)
    Person.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    assert purge_personal_data.call_local() == {"people": 1}


def test_documents_write_masked_values_unless_permitted(tree, unit_admin):
    person = _person(tree)
    people = registry.get("people")
    assert privacy.document_values(unit_admin, people, [person]) == [{"phone": "138****0001"}]
    assert not PersonalDataRead.objects.exists()
    privacy.grant(None, unit_admin, tree["a"])
    assert privacy.document_values(unit_admin, people, [person]) == [{"phone": "13800000001"}]
    read = PersonalDataRead.objects.get()
    assert (read.channel, read.fields, read.get_channel_display()) == (
        "document", ["phone"], "Generated document")


def test_read_log_runs_constant_queries(tree, unit_admin, client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = registry.get("people")
    privacy.grant(None, unit_admin, tree["a"])
    auditor = make_user(Role.AUDITOR, tree["district"])
    client.force_login(auditor)
    counts = []
    for n in (1, 6):
        readers = [make_user(Role.STAFF, tree["a"], username=f"r{n}-{i}") for i in range(n)]
        for reader in readers:
            privacy.log_reads(reader, people, [_person(tree)], ["phone"], privacy.PAGE)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("privacy-reads")).status_code == 200
        counts.append(len(ctx))
        PersonalDataRead.objects.all().delete()
    assert counts[0] == counts[1], counts


def test_the_api_schema_documents_reveal(tree, unit_admin, client):
    client.force_login(unit_admin)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    params = schema["paths"]["/api/people/{id}/"]["get"].get("parameters", [])
    assert any(p["name"] == "reveal" for p in params)
    listed = schema["paths"]["/api/people/"]["get"].get("parameters", [])
    assert not any(p["name"] == "reveal" for p in listed)  # lists stay masked
