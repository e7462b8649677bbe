"""The alarm devices' webhook: signature, time window, replay (also two copies at the
same moment, on PostgreSQL), refusals logged and kept, the secret never shown back."""
from __future__ import annotations

import json
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fangfan.core import services
from fangfan.core.models import AuditEntry
from fangfan.incidents import hooks
from fangfan.incidents.models import AlarmDevice, AlarmNonce, AlarmRefusal, Incident

SECRET = "s3cr3t-" + "x" * 33


@pytest.fixture
def device(school):
    return services.create_record(school["admin"], AlarmDevice, {
        "unit": school["a"], "name": "南门一键报警", "location": school["gate"],
        "secret": SECRET})


def _post(client, device_id, body: bytes, ts=None, secret=SECRET, signature=None):
    ts = str(int(time.time()) if ts is None else ts)
    sig = signature or hooks.sign(secret, ts, body)
    return client.post(f"/hooks/alarm/{device_id}/", body, content_type="application/json",
                       HTTP_X_FANGFAN_TIMESTAMP=ts, HTTP_X_FANGFAN_SIGNATURE=sig)


def test_a_signed_alarm_becomes_an_incident(device, client, school):
    body = json.dumps({"title": "南门一键报警触发", "details": "保安按下报警"}).encode()
    resp = _post(client, device.pk, body)
    assert resp.status_code == 201, resp.content
    incident = Incident.objects.get(pk=resp.json()["incident"])
    assert (incident.unit, incident.location, incident.device) == (school["a"], school["gate"],
                                                                   device)
    assert (incident.source, incident.severity, incident.reported_by) == ("device", "major",
                                                                          None)
    assert incident.events.first().what.startswith("Alarm from the device 南门一键报警")
    assert incident.tasks.count() == 2
    # An empty body: a plain press of the button.
    resp = _post(client, device.pk, b"")
    assert resp.status_code == 201
    assert Incident.objects.get(pk=resp.json()["incident"]).title == "One-key alarm: 南门一键报警"
    # The "sha256=" prefix is taken too.
    ts = str(int(time.time()))
    assert _post(client, device.pk, b"{}", ts=ts,
                 signature="sha256=" + hooks.sign(SECRET, ts, b"{}")).status_code == 201


def _refused(resp, status: int, reason: str | None, caplog=None):
    assert resp.status_code == status, resp.content
    assert "error" in resp.json()
    if reason:
        assert AlarmRefusal.objects.filter(reason=reason).exists()


def test_wrong_signature_and_unknown_device(device, client, caplog):
    body = b'{"title": "x"}'
    _refused(_post(client, device.pk, body, secret="another-secret-" + "y" * 30), 401,
             "signature")
    _refused(_post(client, device.pk, body, signature="0" * 64), 401, "signature")
    # Signed over another body (tampered in transit).
    ts = str(int(time.time()))
    _refused(_post(client, device.pk, b'{"title": "y"}', ts=ts,
                   signature=hooks.sign(SECRET, ts, body)), 401, "signature")
    before = AlarmRefusal.objects.count()
    resp = _post(client, 999999, body)
    assert resp.status_code == 401
    assert resp.json() == {"error": "unknown device or wrong signature"}
    assert AlarmRefusal.objects.count() == before  # no unit to keep it for: logged only
    assert "alarm webhook refused: device=999999" in caplog.text
    assert not Incident.objects.exists()


def test_the_time_window(device, client):
    now = int(time.time())
    _refused(_post(client, device.pk, b"{}", ts=now - 301), 401, "stale")
    _refused(_post(client, device.pk, b"{}", ts=now + 120), 401, "stale")
    assert _post(client, device.pk, b"{}", ts=now - 290).status_code == 201
    assert Incident.objects.count() == 1


def test_a_replay_is_refused(device, client):
    ts = str(int(time.time()))
    assert _post(client, device.pk, b"{}", ts=ts).status_code == 201
    resp = _post(client, device.pk, b"{}", ts=ts)
    _refused(resp, 401, "replay")
    assert resp.json() == {"error": "message already received"}
    assert Incident.objects.count() == 1
    assert AlarmNonce.objects.count() == 1


def test_malformed_messages_and_headers(device, client):
    _refused(_post(client, device.pk, b"not json"), 400, "malformed")
    _refused(_post(client, device.pk, b"[1, 2]"), 400, "malformed")
    _refused(_post(client, device.pk, b'{"severity": "apocalyptic"}'), 400, "malformed")
    _refused(_post(client, device.pk, json.dumps({"title": "x" * 201}).encode()), 400,
             "malformed")
    resp = client.post(f"/hooks/alarm/{device.pk}/", b"{}", content_type="application/json")
    assert resp.status_code == 400
    resp = client.post(f"/hooks/alarm/{device.pk}/", b"{}", content_type="application/json",
                       HTTP_X_FANGFAN_TIMESTAMP="yesterday", HTTP_X_FANGFAN_SIGNATURE="0" * 64)
    assert resp.status_code == 400
    for ts, sig in (("١٢٣٤٥", "0" * 64), ("123", "é" * 64), ("123", "g" * 64),
                    ("-1", "0" * 64)):
        resp = client.post(f"/hooks/alarm/{device.pk}/", b"{}",
                           content_type="application/json",
                           HTTP_X_FANGFAN_TIMESTAMP=ts, HTTP_X_FANGFAN_SIGNATURE=sig)
        assert resp.status_code == 400, (ts, sig)
    assert _post(client, device.pk, b'{"details": "' + b"x" * 17000 + b'"}').status_code == 400
    assert client.get(f"/hooks/alarm/{device.pk}/").status_code == 405
    assert not Incident.objects.exists()
    # A refused malformed message did not use up its signature.
    assert not AlarmNonce.objects.exists()


def test_a_device_switched_off(device, client, school):
    services.update_record(school["admin"], device, {"active": False})
    _refused(_post(client, device.pk, b"{}"), 401, "inactive")
    assert not Incident.objects.exists()


def test_no_session_or_csrf_needed(device, school):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    assert _post(c, device.pk, b"{}").status_code == 201


def test_throttled_per_address(device, client, settings, monkeypatch):
    monkeypatch.setattr(hooks, "PER_ADDRESS", 3)
    for _ in range(3):
        _post(client, device.pk, b"{}", signature="0" * 64)
    assert _post(client, device.pk, b"{}").status_code == 429


def test_throttled_per_device_only_once_authenticated(device, client, monkeypatch):
    monkeypatch.setattr(hooks, "PER_DEVICE", 2)
    for _ in range(5):  # someone else's junk does not silence the device
        _post(client, device.pk, b"{}", signature="0" * 64)
    assert _post(client, device.pk, b'{"title": "1"}').status_code == 201
    assert _post(client, device.pk, b'{"title": "2"}').status_code == 201
    assert _post(client, device.pk, b'{"title": "3"}').status_code == 429


def test_the_secret_is_never_shown_back(device, school, api_client, client):
    api_client.force_authenticate(school["admin"])
    data = api_client.get(f"/api/alarm-devices/{device.pk}/").json()
    assert "secret" not in data and SECRET not in json.dumps(data)
    client.force_login(school["admin"])
    for url in (device.get_absolute_url(), f"/alarm-devices/{device.pk}/edit/",
                "/alarm-devices/export/?format=csv"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        text = b"".join(resp.streaming_content) if resp.streaming else resp.content
        assert SECRET.encode() not in text, url
    entry = AuditEntry.objects.filter(record_type="incidents.alarmdevice").first()
    assert SECRET not in json.dumps(entry.after)
    assert entry.after["secret"].startswith("••••")
    # An empty box keeps the secret; a short one is refused.
    services.update_record(school["admin"], device, {"secret": "", "name": "南门报警"})
    device.refresh_from_db()
    assert device.secret == SECRET
    with pytest.raises(ValidationError) as exc:
        services.update_record(school["admin"], device, {"secret": "short"})
    assert "secret" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.create_record(school["admin"], AlarmDevice, {"unit": school["a"],
                                                              "name": "无密钥"})


def test_refusals_are_seen_by_the_units_admin_only(device, client, school):
    _post(client, device.pk, b"{}", signature="0" * 64)
    client.force_login(school["admin"])
    assert "203.0.113" not in client.get("/alarm-refusals/").content.decode()
    assert client.get("/alarm-refusals/").status_code == 200
    assert AlarmRefusal.objects.count() == 1
    client.force_login(school["other_admin"])
    resp = client.get(f"/alarm-refusals/{AlarmRefusal.objects.get().pk}/")
    assert resp.status_code == 404
    client.force_login(school["guard"])
    assert client.get("/alarm-refusals/").status_code in (403, 404)


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_the_same_moment_make_one_incident(tree, make_user, live_server):
    """On PostgreSQL two requests really run at once: the unique constraint on the
    signature lets exactly one through."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL")
    import urllib.error
    import urllib.request

    admin = make_user("unit_admin", tree["a"])
    device = services.create_record(admin, AlarmDevice, {"unit": tree["a"], "name": "报警",
                                                         "secret": SECRET})
    body = b'{"title": "same"}'
    ts = str(int(time.time()))
    sig = hooks.sign(SECRET, ts, body)
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def send():
        req = urllib.request.Request(
            f"{live_server.url}/hooks/alarm/{device.pk}/", data=body, method="POST",
            headers={"Content-Type": "application/json", "X-Fangfan-Timestamp": ts,
                     "X-Fangfan-Signature": sig})
        barrier.wait()
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                statuses.append(resp.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 401, 401, 401, 401, 401]
    assert Incident.objects.filter(device=device).count() == 1
