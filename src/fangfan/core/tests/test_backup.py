"""`fangfan backup` and `fangfan restore`: a round trip through an emptied database and
evidence directory gives back every row and file with the audit chain intact, on the
database the suite runs on (SQLite, and PostgreSQL when DATABASE_URL points at it)."""
from __future__ import annotations

import io
import json
import shutil
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from fangfan.core import audit, backup, evidence, services
from fangfan.core.models import Attachment, AuditEntry, Unit, User
from fangfan.resources.models import Location

PDF = b"%PDF-1.4\n" + "验收单".encode() * 500


@pytest.fixture
def installation(transactional_db, tree, unit_admin, settings):
    """Records, an accountant's file and audit entries, committed (the dump is taken by
    another connection)."""
    gate = services.create_record(unit_admin, Location, {"unit": tree["a"], "name": "南校门",
                                                         "kind": "main_gate"})
    services.create_record(unit_admin, Location, {"unit": tree["a"], "name": "食堂",
                                                  "kind": "canteen"})
    att = evidence.attach(unit_admin, gate, SimpleUploadedFile("验收单.pdf", PDF))
    services.update_record(unit_admin, gate, {"name": "南大门"})
    return {"gate": gate, "attachment": att}


def snapshot() -> dict:
    return {
        "units": sorted(Unit.objects.values_list("code", "name")),
        "users": sorted(User.objects.values_list("username", flat=True)),
        "locations": sorted(Location.objects.values_list("id", "name", "unit__code")),
        "attachments": sorted(Attachment.objects.values_list("id", "sha256", "filename")),
        "audit": list(AuditEntry.objects.order_by("id").values_list("id", "hash")),
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_round_trip_through_an_emptied_database(installation, tmp_path, settings):
    before = snapshot()
    archive = tmp_path / "b" / "fangfan.tar.gz"
    said = run("backup", "-o", str(archive))
    assert archive.is_file() and "backup written" in said

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["counts"]["resources_location"] == 2
    assert manifest["evidence"] == [installation["attachment"].sha256]
    assert ["core", "0001_initial"] in manifest["migrations"]

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.EVIDENCE_ROOT)
    assert not Unit.objects.exists()

    said = run("restore", str(archive))
    assert snapshot() == before
    assert "audit log intact" in said and "审计链校验通过" in said
    assert audit.verify() is None
    with evidence.open_blob(Attachment.objects.get()) as blob:
        assert blob.read() == PDF


def test_restore_refuses_a_database_with_data_unless_forced(installation, tmp_path):
    archive = tmp_path / "fangfan.tar.gz"
    run("backup", "-o", str(archive))
    services.create_record(None, Location, {"unit": Unit.objects.get(code="school-a"),
                                            "name": "备份后新建", "kind": "canteen"})
    with pytest.raises(CommandError, match="already holds data"):
        run("restore", str(archive))
    assert Location.objects.filter(name="备份后新建").exists()
    run("restore", str(archive), "--force")
    assert not Location.objects.filter(name="备份后新建").exists()
    assert audit.verify() is None


def test_a_damaged_archive_is_refused_before_anything_changes(installation, tmp_path):
    archive, damaged = tmp_path / "good.tar.gz", tmp_path / "damaged.tar.gz"
    run("backup", "-o", str(archive))
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as out:
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name.startswith("evidence/"):
                data = data[:-1] + b"!"
            out.addfile(info, io.BytesIO(data))
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="damaged"):
        run("restore", str(damaged))
    assert not Unit.objects.exists()


def test_not_a_backup_is_refused(db, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a Fangfan backup"):
        run("restore", str(junk))


def test_missing_pg_tools_are_named(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump was not found on PATH"):
        backup._tool("pg_dump")


def test_round_trip_with_evidence_in_object_storage(transactional_db, tree, unit_admin,
                                                   settings, tmp_path):
    """Evidence in STORAGES["evidence"] (S3 through django-storages in production; here
    a storage of the same API on disk): attached, downloaded, backed up and restored
    through the storage, never through EVIDENCE_ROOT."""
    bucket = tmp_path / "bucket"
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(bucket)}}}
    gate = services.create_record(unit_admin, Location, {"unit": tree["a"], "name": "南校门",
                                                         "kind": "main_gate"})
    att = evidence.attach(unit_admin, gate, SimpleUploadedFile("验收单.pdf", PDF))
    assert (bucket / att.sha256[:2] / att.sha256).read_bytes() == PDF
    assert not evidence.blob_path(att.sha256).exists()
    archive = tmp_path / "fangfan.tar.gz"
    run("backup", "-o", str(archive))
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(bucket)
    run("restore", str(archive))
    with evidence.open_blob(Attachment.objects.get()) as blob:
        assert blob.read() == PDF
