"""Evidence files: stored once by SHA-256 under EVIDENCE_ROOT, attached to records,
readable exactly when their record is (404 otherwise), hashed into the audit chain.
A file is taken only within the size limit and only if its content is one of the
allowed kinds: the name and the browser's type are not trusted."""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fangfan.core import audit, permissions, services
from fangfan.core.models import Attachment, Unit
from fangfan.core.models.audit import AuditAction
from fangfan.core.registry import for_model

# What a file's first bytes say it is. A small fixed list, checked here rather than
# with libmagic (a native library the machines would need) or a guessing library: the
# Office formats are zips that only their parts tell apart, which this reads.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
_OFFICE = {
    "word/document.xml":
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def allowed_kinds() -> str:
    """The kinds of file taken, as the refusal and the attach form say them."""
    return _("photos (JPEG, PNG, WebP, HEIC), PDF, Word (.docx), Excel (.xlsx) or plain "
             "text")


def sniff(upload) -> str | None:
    """The MIME type of an allowed kind of file, read from its content; None otherwise."""
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    for magic, mime in _SIGNATURES:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    if head.startswith(b"PK\x03\x04"):
        return _office_type(upload)
    return "text/plain; charset=utf-8" if _is_text(upload) else None


def _office_type(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    return next((mime for part, mime in _OFFICE.items() if part in names), None)


def _is_text(upload) -> bool:
    """Text without control characters other than tab, line breaks and form feed."""
    return text_encoding(upload, _CONTROL) is not None


def text_encoding(upload, refused: re.Pattern) -> str | None:
    """The encoding of a text file: UTF-8 (with or without BOM), else GB18030 (as Chinese
    Windows saves it), read in 64 KB blocks. None if it is neither, or if its text holds
    a character `refused` matches (binary data)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        upload.seek(0)
        try:
            for block in iter(lambda: upload.read(64 * 1024), b""):
                if refused.search(decoder.decode(block)):
                    return None
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            upload.seek(0)
        return encoding
    return None


def check_upload(upload) -> str:
    """The file's real type if it may be attached; else a ValidationError saying why."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is larger than %(size)s MB; attach a smaller "
                                "file.") % {"size": limit // (1024 * 1024)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    mime = sniff(upload)
    if mime is None:
        raise ValidationError(_("This kind of file cannot be attached. Attach %(kinds)s.")
                              % {"kinds": allowed_kinds()})
    return mime


def blob_path(sha256: str) -> Path:
    return Path(settings.EVIDENCE_ROOT) / sha256[:2] / sha256


def remote_storage():
    """The object storage evidence files live in (STORAGES["evidence"]: S3-compatible
    through django-storages, docs/deploy.md), or None: files under EVIDENCE_ROOT."""
    from django.core.files.storage import storages

    return storages["evidence"] if "evidence" in settings.STORAGES else None


def blob_name(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


def put_blob(sha256: str, local: Path, overwrite: bool = False) -> None:
    """Put a file known to hash to `sha256` in its place (moved, or uploaded and removed),
    unless it is there already: content-addressed, never overwritten (except by a
    restore that found the stored copy damaged)."""
    remote = remote_storage()
    if remote is None:
        target = blob_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and not overwrite:
            os.unlink(local)
        else:
            os.replace(local, target)
        return
    if overwrite:
        remote.delete(blob_name(sha256))
    if not remote.exists(blob_name(sha256)):
        with open(local, "rb") as src:
            remote.save(blob_name(sha256), File(src))
    os.unlink(local)


def blob_exists(sha256: str) -> bool:
    remote = remote_storage()
    return remote.exists(blob_name(sha256)) if remote else blob_path(sha256).is_file()


def read_blob(sha256: str):
    """The stored file, open for reading (binary); FileNotFoundError if absent."""
    remote = remote_storage()
    if remote is None:
        return blob_path(sha256).open("rb")
    if not remote.exists(blob_name(sha256)):
        raise FileNotFoundError(blob_name(sha256))
    return remote.open(blob_name(sha256), "rb")


def store_blob(upload) -> tuple[str, int]:
    """Write the upload to a temp file while hashing (fsynced), then move it into place
    atomically, or upload it to the object storage."""
    root = Path(settings.EVIDENCE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-")
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    sha = digest.hexdigest()
    put_blob(sha, Path(tmp))
    return sha, size


@transaction.atomic
def attach(actor, obj: models.Model, upload, action: str = "change") -> Attachment:
    """Attach a file to a record the actor may change (or, with the record it is created
    with, add: a guard's hazard photo); the hash enters the audit chain. A file over the
    size limit or of a kind not allowed is refused (ValidationError) before anything is
    written."""
    rt = for_model(type(obj))
    path = services._path_of(obj)
    if not permissions.allowed(actor, action, rt, path):
        raise services.OutOfScope("not allowed")
    mime = check_upload(upload)
    sha, size = store_blob(upload)
    unit = obj if isinstance(obj, Unit) else obj.unit
    att = Attachment.objects.create(
        unit=unit, unit_path=path, record_type=rt.label, record_id=str(obj.pk),
        filename=os.path.basename(upload.name)[:255], content_type=mime,
        size=size, sha256=sha, uploaded_by=actor,
    )
    audit.record(actor, obj, AuditAction.ATTACH, None,
                 {"attachment": att.pk, "filename": att.filename, "sha256": sha, "size": size},
                 path)
    services._changed(path)
    return att


def attachments_of(obj: models.Model) -> models.QuerySet[Attachment]:
    return Attachment.objects.filter(record_type=obj._meta.label_lower, record_id=str(obj.pk))


def visible_attachment(user, pk: int) -> Attachment:
    """The attachment if the user may view the record it belongs to, where that record
    is now (a record moved to another unit takes its files along); else 404."""
    from fangfan.core.registry import for_label

    att = Attachment.objects.filter(pk=pk).first()
    rt = for_label(att.record_type) if att else None
    if att is None or rt is None:
        raise Http404
    visible = rt.model.objects.filter(permissions.restrict(user, "view", rt))
    if not visible.filter(pk=att.record_id).exists():
        raise Http404
    return att


def follow_record(obj: models.Model) -> int:
    """Give the record's attachments its unit again (after a move), so their copied
    unit path never names the old unit. Returns how many rows changed."""
    if isinstance(obj, Unit):
        return 0
    return attachments_of(obj).exclude(unit_path=obj.unit_path).update(
        unit_id=obj.unit_id, unit_path=obj.unit_path)


def open_blob(att: Attachment):
    try:
        return read_blob(att.sha256)
    except FileNotFoundError:
        raise Http404 from None
