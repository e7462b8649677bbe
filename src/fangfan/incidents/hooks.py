"""The alarm devices' inbound webhook (SPEC EMG-4): `POST /hooks/alarm/<device id>/`, no
session and no CSRF token, authenticated by an HMAC-SHA256 signature of
`timestamp + "." + body` with the device's secret (docs/incidents.md).

Refused, with a short reason and nothing else saved: a missing or unreadable header or
body (400), an unknown device or a wrong signature (401, the same answer, so the device
numbers cannot be probed), a time stamp older than five minutes or ahead of the server's
clock (401), a message already received (replay, 401: each signature is accepted once;
the unique constraint decides between two copies arriving together), a device switched
off (401). Every refusal is logged, and for a known device kept as a refused alarm
message its unit's administrators see. Throttled per device and per client address."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fangfan.core import services
from fangfan.core.authentication import client_address
from fangfan.incidents.models import (
    AlarmDevice,
    AlarmNonce,
    AlarmRefusal,
    Incident,
    IncidentSource,
    RefusalReason,
    Severity,
)

log = logging.getLogger("fangfan.incidents.hooks")

TIMESTAMP_HEADER = "HTTP_X_FANGFAN_TIMESTAMP"
SIGNATURE_HEADER = "HTTP_X_FANGFAN_SIGNATURE"
WINDOW = 300  # seconds a message stays acceptable after its time stamp
AHEAD = 30  # seconds a device's clock may run ahead of the server's
KEEP_NONCES = dt.timedelta(seconds=2 * WINDOW)
MAX_BODY = 16 * 1024
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"[0-9a-f]{64}")
# Requests per minute: one device, and one client address (all its devices).
PER_DEVICE, PER_ADDRESS = 20, 60


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a device sends: hex HMAC-SHA256 of `timestamp.body`."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                    hashlib.sha256).hexdigest()


def _throttled(kind: str, ident: str, limit: int) -> bool:
    key = f"fangfan:alarm-hook:{kind}:{ident}:{int(time.time() // 60)}"
    cache.add(key, 0, 90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 90)
        count = 1
    return count > limit


def _refuse(status: int, message: str, reason: str, device_id: int, address: str,
            device: AlarmDevice | None = None) -> JsonResponse:
    log.warning("alarm webhook refused: device=%s address=%s reason=%s", device_id,
                address, reason)
    if device is not None:
        services.create_record(None, AlarmRefusal, {
            "unit": device.unit, "device": device, "reason": reason,
            "address": address[:64]})
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def alarm(request, device_id: int):
    address = client_address(request) or ""
    if _throttled("address", address, PER_ADDRESS):
        log.warning("alarm webhook throttled: device=%s address=%s", device_id, address)
        return JsonResponse({"error": "too many requests"}, status=429)
    timestamp = request.META.get(TIMESTAMP_HEADER, "").strip()
    signature = request.META.get(SIGNATURE_HEADER, "").strip().lower()
    if signature.startswith("sha256="):
        signature = signature[7:]
    if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
        return _refuse(400, "missing or unreadable signature headers", "headers",
                       device_id, address)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isascii() or not length.isdigit() or int(length) > MAX_BODY:
        return _refuse(400, "message too large", "size", device_id, address)
    body = request.body
    if len(body) > MAX_BODY:
        return _refuse(400, "message too large", "size", device_id, address)
    device = AlarmDevice.objects.select_related("unit", "location").filter(
        pk=device_id).first()
    expected = sign(device.secret, timestamp, body) if device is not None else ""
    if device is None or not hmac.compare_digest(expected, signature):
        return _refuse(401, "unknown device or wrong signature", RefusalReason.SIGNATURE,
                       device_id, address, device)
    age = time.time() - int(timestamp)
    if age > WINDOW or age < -AHEAD:
        return _refuse(401, "time stamp outside the accepted window", RefusalReason.STALE,
                       device_id, address, device)
    if not device.active:
        return _refuse(401, "device switched off", RefusalReason.INACTIVE, device_id,
                       address, device)
    # Counted only once authenticated: nobody else can silence a device by flooding it.
    if _throttled("device", str(device_id), PER_DEVICE):
        log.warning("alarm webhook throttled: device=%s address=%s", device_id, address)
        return JsonResponse({"error": "too many requests"}, status=429)
    try:
        fields = _incident_fields(device, body)
    except ValueError as exc:
        return _refuse(400, str(exc), RefusalReason.MALFORMED, device_id, address, device)
    try:
        # Notifications and the timeline in the product's language, whatever the device's
        # Accept-Language header says.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            AlarmNonce.objects.create(device=device, signature=signature)
            incident = services.create_record(None, Incident, fields)
    except IntegrityError:
        return _refuse(401, "message already received", RefusalReason.REPLAY, device_id,
                       address, device)
    AlarmNonce.objects.filter(created_at__lt=timezone.now() - KEEP_NONCES).delete()
    log.info("alarm webhook: device=%s incident=%s", device_id, incident.pk)
    return JsonResponse({"incident": incident.pk}, status=201)


def _incident_fields(device: AlarmDevice, body: bytes) -> dict:
    """The incident a message reports. The body is a JSON object, every key optional:
    `title` (what happened), `severity` ("general" or "major", default major: someone
    pressed the alarm), `details`."""
    try:
        data = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    title, details = data.get("title") or "", data.get("details") or ""
    severity = data.get("severity") or Severity.MAJOR
    if not isinstance(title, str) or not isinstance(details, str) or len(title) > 200 \
            or len(details) > 4000:
        raise ValueError("title or details too long or not text")
    if severity not in Severity.values:
        raise ValueError("severity is general or major")
    if not title.strip():
        with translation.override(settings.LANGUAGE_CODE):
            title = _("One-key alarm: %(device)s") % {"device": device.name}
    return {"unit": device.unit, "title": title.strip()[:200],
            "description": details, "severity": severity, "location": device.location,
            "source": IncidentSource.DEVICE, "device": device}
