"""Notifications that reach people (SPEC EMG-5): e-mail and group robots, delivered with
their status and retried; the robots' addresses checked. The HTTP side is a real
receiver on 127.0.0.1, never a mock."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangfan.core import notify, services, webhooks
from fangfan.core.models import (
    AuditEntry,
    Delivery,
    Notification,
    NotificationChannel,
    NotificationPreference,
    Role,
)
from fangfan.core.models.notifications import DeliveryStatus

SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"


class Receiver:
    """A robot's endpoint on 127.0.0.1: answers the scripted statuses in turn (then
    200 with errcode 0, as WeCom and DingTalk do) and keeps every request."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append({
                    "path": self.path, "body": body, "status": status,
                    "content_type": self.headers.get("Content-Type", "")})
                answer = (b'{"errcode":0,"errmsg":"ok"}' if status == 200
                          else b'{"errcode":-1,"errmsg":"busy"}')
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/robot/send?key=k-1"

    @property
    def accepted(self) -> list[dict]:
        return [r for r in self.requests if r["status"] == 200]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(statuses=()):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def local_robots(settings):
    """The receiver is on this machine: allow its network, as an intranet would."""
    settings.FANGFAN_WEBHOOK_ALLOW_PRIVATE = ["127.0.0.0/8"]


def _robot(unit_admin, unit, url, kind="wecom", secret="", name="安全工作群"):
    return services.create_record(unit_admin, NotificationChannel, {
        "unit": unit, "name": name, "kind": kind, "url": url, "secret": secret})


def test_wecom_robot_fails_then_is_retried_after_backoff_and_sent_once(
        tree, unit_admin, receiver, local_robots):
    endpoint = receiver([500])
    robot = _robot(unit_admin, tree["a"], endpoint.url)
    notify.send([unit_admin], "校门监控故障", "南门摄像机黑屏", link="/faults/1/",
                unit_path=tree["a"].path, channels_of=tree["a"])
    delivery = Delivery.objects.get(channel=robot)
    assert delivery.status == DeliveryStatus.QUEUED and delivery.kind == "wecom"

    t0 = timezone.now() + dt.timedelta(seconds=1)
    assert notify.send_due(now=t0) == 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED  # never lost: queued with its error
    assert delivery.attempts == 1 and "500" in delivery.last_error
    assert delivery.next_attempt_at == t0 + dt.timedelta(minutes=1)

    assert notify.send_due(now=t0 + dt.timedelta(seconds=30)) == 0  # not due yet
    assert len(endpoint.requests) == 1
    assert notify.send_due(now=t0 + dt.timedelta(minutes=1)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    assert delivery.last_error == ""

    # The job again, later: nothing is sent twice.
    assert notify.send_due(now=t0 + dt.timedelta(hours=2)) == 0
    assert len(endpoint.requests) == 2 and len(endpoint.accepted) == 1
    sent = endpoint.accepted[0]
    assert sent["path"] == "/robot/send?key=k-1"
    assert sent["content_type"].startswith("application/json")
    payload = json.loads(sent["body"])
    assert set(payload) == {"msgtype", "markdown"} and payload["msgtype"] == "markdown"
    assert set(payload["markdown"]) == {"content"}
    assert "校门监控故障" in payload["markdown"]["content"]
    assert "南门摄像机黑屏" in payload["markdown"]["content"]


def test_dingtalk_robot_signs_with_its_secret(tree, unit_admin, receiver, local_robots,
                                              settings):
    settings.FANGFAN_BASE_URL = "https://fangfan.example.edu.cn"
    endpoint = receiver()
    _robot(unit_admin, tree["a"], endpoint.url, kind="dingtalk", secret=SECRET)
    notify.send([], "隐患逾期未整改", "请于今日内整改", link="/hazards/7/",
                unit_path=tree["a"].path, urgent=True, channels_of=tree["a"].pk)
    before = int(timezone.now().timestamp() * 1000)
    assert notify.send_due() == 1
    assert len(endpoint.requests) == 1
    request = endpoint.accepted[0]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    assert query["key"] == ["k-1"]
    timestamp = int(query["timestamp"][0])
    assert before - 1000 <= timestamp <= int(timezone.now().timestamp() * 1000)
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]  # parse_qs undid the URL encoding
    payload = json.loads(request["body"])
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "隐患逾期未整改"
    text = payload["markdown"]["text"]
    assert "请于今日内整改" in text and "Urgent" in text
    assert "(https://fangfan.example.edu.cn/hazards/7/)" in text


def test_a_claimed_delivery_is_not_sent_by_a_second_worker(tree, unit_admin, receiver,
                                                           local_robots):
    endpoint = receiver()
    _robot(unit_admin, tree["a"], endpoint.url)
    notify.send([], "演练通知", unit_path=tree["a"].path, channels_of=tree["a"])
    now = timezone.now() + dt.timedelta(seconds=1)
    Delivery.objects.update(claimed_until=now + notify.CLAIM)  # a worker holds it
    assert notify.send_due(now=now) == 0 and endpoint.requests == []
    # The worker crashed: its claim runs out and the next run sends.
    assert notify.send_due(now=now + notify.CLAIM + dt.timedelta(seconds=1)) == 1
    assert notify.send_due(now=now + dt.timedelta(hours=1)) == 0
    assert len(endpoint.requests) == 1


def test_sent_right_after_commit_without_waiting_for_the_minute_job(
        tree, unit_admin, receiver, local_robots, django_capture_on_commit_callbacks):
    endpoint = receiver()
    _robot(unit_admin, tree["a"], endpoint.url)
    with django_capture_on_commit_callbacks(execute=True):
        notify.send([], "紧急通知", unit_path=tree["a"].path, channels_of=tree["a"])
    assert len(endpoint.accepted) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_giving_up_and_sending_again_by_hand(tree, unit_admin, make_user, receiver,
                                             local_robots, client):
    endpoint = receiver([500] * notify.GIVE_UP_AFTER)
    robot = _robot(unit_admin, tree["a"], endpoint.url)
    notify.send([], "值班提醒", unit_path=tree["a"].path, channels_of=tree["a"])
    now = timezone.now()
    for _ in range(notify.GIVE_UP_AFTER):
        now += notify.MAX_DELAY
        notify.send_due(now=now)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == notify.GIVE_UP_AFTER
    assert notify.send_due(now=now + dt.timedelta(days=1)) == 0  # stays failed, listed

    page = client
    page.force_login(unit_admin)
    html = page.get(robot.get_absolute_url()).content.decode()
    assert "Sending failed" in html and "HTTP 500" in html and "Send again" in html

    other = make_user(Role.UNIT_ADMIN, tree["b"])
    page.force_login(other)
    assert page.post(reverse("delivery-retry", args=[delivery.pk])).status_code == 404
    page.force_login(unit_admin)
    assert page.post(reverse("delivery-retry", args=[delivery.pk])).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED and delivery.attempts == 0
    assert notify.send_due(now=timezone.now() + dt.timedelta(seconds=1)) == 1


def test_backoff_doubles_up_to_an_hour():
    assert [notify.delay_after(n).total_seconds() / 60 for n in range(1, 9)] == [
        1, 2, 4, 8, 16, 32, 60, 60]


def test_email_follows_the_users_choice_but_urgent_is_always_sent(tree, make_user, client):
    keen = make_user(Role.PRINCIPAL, tree["a"], "keen")
    keen.email = "keen@school-a.example"
    keen.save()
    quiet = make_user(Role.UNIT_ADMIN, tree["a"], "quiet")
    quiet.email = "quiet@school-a.example"
    quiet.save()
    NotificationPreference.objects.create(user=quiet, email=False)
    nobody = make_user(Role.STAFF, tree["a"], "no-address")

    notify.send([keen, quiet.pk, nobody], "每日巡查提醒", "请完成今日巡查", link="/x/",
                unit_path=tree["a"].path)
    assert Notification.objects.count() == 3  # the inbox always
    notify.send_due()
    assert [m.to for m in mail.outbox] == [["keen@school-a.example"]]
    assert mail.outbox[0].subject == "每日巡查提醒"

    mail.outbox.clear()
    notify.send([keen, quiet, nobody], "紧急：暂停户外活动", unit_path=tree["a"].path,
                urgent=True)
    notify.send_due()
    assert sorted(m.to[0] for m in mail.outbox) == ["keen@school-a.example",
                                                    "quiet@school-a.example"]
    assert all("紧急：暂停户外活动" in m.subject and "Urgent" in m.subject
               for m in mail.outbox)

    client.force_login(keen)
    html = client.get(reverse("notifications")).content.decode()
    assert html.count('data-testid="delivery"') == 2
    assert "E-mail · Sent" in html and "Urgent" in html


def test_the_user_chooses_email_on_their_page(tree, unit_admin, client):
    client.force_login(unit_admin)
    url = reverse("notification-settings")
    assert client.get(url).status_code == 200
    response = client.post(url, {"email": "", "by_email": "on"})
    assert response.status_code == 400
    assert "Enter the address to send e-mail to." in response.content.decode()
    client.post(url, {"email": "admin@school-a.example"})  # e-mail off
    unit_admin.refresh_from_db()
    assert unit_admin.email == "admin@school-a.example"
    assert NotificationPreference.objects.get(user=unit_admin).email is False
    notify.send([unit_admin], "提醒", unit_path=tree["a"].path)
    notify.send_due()
    assert mail.outbox == []
    assert reverse("notification-settings") in client.get(reverse("notifications")).content.decode()


def test_notify_unit_leads_goes_through_send(tree, unit_admin, make_user, receiver,
                                             local_robots):
    endpoint = receiver()
    _robot(unit_admin, tree["a"], endpoint.url)
    principal = make_user(Role.PRINCIPAL, tree["a"])
    principal.email = "p@school-a.example"
    principal.save()
    make_user(Role.GUARD, tree["a"])
    assert notify.notify_unit_leads(tree["a"].pk, tree["a"].path, "证书即将到期") == 2
    assert set(Notification.objects.values_list("user_id", flat=True)) == {
        unit_admin.pk, principal.pk}
    notify.send_due()
    assert len(mail.outbox) == 1 and len(endpoint.accepted) == 1


@pytest.mark.parametrize("url", [
    "ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    "qyapi.weixin.qq.com/cgi-bin/webhook/send",
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/hook",
    "http://[::1]/hook",
    "http://testserver/hook",
])
def test_addresses_the_server_must_not_call_are_refused(url, tree, unit_admin, api_client):
    with pytest.raises(ValidationError) as refused:
        _robot(unit_admin, tree["a"], url)
    assert list(refused.value.message_dict) == ["url"]
    assert NotificationChannel.objects.count() == 0

    api_client.force_authenticate(unit_admin)
    response = api_client.post("/api/group-robots/", {
        "unit": "school-a", "name": "群", "kind": "wecom", "url": url}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["url"]
    message = response.json()["url"][0]
    assert "http://" in message or "private network" in message
    assert NotificationChannel.objects.count() == 0


def test_an_address_is_checked_again_before_each_post(tree, unit_admin, receiver,
                                                      local_robots, settings):
    endpoint = receiver()
    _robot(unit_admin, tree["a"], endpoint.url)
    notify.send([], "提醒", unit_path=tree["a"].path, channels_of=tree["a"])
    settings.FANGFAN_WEBHOOK_ALLOW_PRIVATE = []  # no longer allowed
    notify.send_due()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.QUEUED and "private network" in delivery.last_error
    assert endpoint.requests == []


def test_redirects_are_not_followed(tree, unit_admin, local_robots, receiver):
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(webhooks.SendFailed, match="307"):
            webhooks.post("wecom", f"http://127.0.0.1:{server.server_port}/", "",
                          webhooks.Message("t"))
    finally:
        server.shutdown()
        server.server_close()


def test_the_secret_is_never_shown_back(tree, unit_admin, receiver, local_robots, client,
                                        api_client):
    endpoint = receiver()
    robot = _robot(unit_admin, tree["a"], endpoint.url, kind="dingtalk", secret=SECRET)
    client.force_login(unit_admin)
    for url in (robot.get_absolute_url(), reverse("records:group-robots-edit",
                                                  args=[robot.pk]),
                reverse("records:group-robots-export")):
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET.encode() not in response.content
    assert "set (not shown)" in client.get(robot.get_absolute_url()).content.decode()
    api_client.force_authenticate(unit_admin)
    answer = api_client.get(f"/api/group-robots/{robot.pk}/").json()
    assert "secret" not in answer and answer["kind"] == "dingtalk"
    assert not any(SECRET in json.dumps([e.before, e.after]) for e in AuditEntry.objects.all())

    # Saving the form with the box left empty keeps the secret.
    response = client.post(reverse("records:group-robots-edit", args=[robot.pk]), {
        "unit": tree["a"].pk, "name": "值班群", "kind": "dingtalk", "url": endpoint.url,
        "secret": "", "active": "on"})
    assert response.status_code == 302
    robot.refresh_from_db()
    assert robot.name == "值班群" and robot.secret == SECRET
    # A secret for a WeCom robot is refused; a WeCom robot has none.
    with pytest.raises(ValidationError) as refused:
        services.update_record(unit_admin, robot, {"kind": "wecom", "secret": "SECnew"})
    assert list(refused.value.message_dict) == ["secret"]
    robot.refresh_from_db()
    services.update_record(unit_admin, robot, {"kind": "wecom"})
    robot.refresh_from_db()
    assert robot.secret == ""


def test_an_inactive_robot_gets_nothing(tree, unit_admin, receiver, local_robots):
    endpoint = receiver()
    robot = _robot(unit_admin, tree["a"], endpoint.url)
    services.update_record(unit_admin, robot, {"active": False})
    notify.send([unit_admin], "提醒", unit_path=tree["a"].path, channels_of=tree["a"])
    assert Delivery.objects.count() == 0
