"""Evidence files: stored once by SHA-256 under EVIDENCE_ROOT, attached to records,
readable only inside the reader's scope (404 otherwise), hashed into the audit chain."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.http import Http404

from fangfan.core import audit, permissions, services
from fangfan.core.models import Attachment, Unit
from fangfan.core.models.audit import AuditAction
from fangfan.core.registry import for_model


def blob_path(sha256: str) -> Path:
    return Path(settings.EVIDENCE_ROOT) / sha256[:2] / sha256


def store_blob(upload) -> tuple[str, int]:
    """Write the upload to a temp file while hashing, then move it into place (atomic)."""
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
    target = blob_path(sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.unlink(tmp)
    else:
        os.replace(tmp, target)
    return sha, size


@transaction.atomic
def attach(actor, obj: models.Model, upload) -> Attachment:
    """Attach a file to a record the actor may change; the hash enters the audit chain."""
    rt = for_model(type(obj))
    path = services._path_of(obj)
    if not permissions.allowed(actor, "change", rt, path):
        raise services.OutOfScope("not allowed")
    sha, size = store_blob(upload)
    unit = obj if isinstance(obj, Unit) else obj.unit
    att = Attachment.objects.create(
        unit=unit, unit_path=path, record_type=rt.label, record_id=str(obj.pk),
        filename=os.path.basename(upload.name)[:255],
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
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
    """The attachment if the user may view the record it belongs to; else 404."""
    from fangfan.core.registry import for_label

    att = Attachment.objects.filter(pk=pk).first()
    rt = for_label(att.record_type) if att else None
    if att is None or rt is None or not permissions.allowed(user, "view", rt, att.unit_path):
        raise Http404
    return att


def open_blob(att: Attachment):
    path = blob_path(att.sha256)
    if not path.exists():
        raise Http404
    return path.open("rb")
