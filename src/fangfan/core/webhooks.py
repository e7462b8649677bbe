"""Group-robot webhooks (SPEC EMG-5): which addresses may be called, the messages in
WeCom's and DingTalk's formats, and the POST itself.

An address must be http(s) and reach the internet: a host name that is this server's
own (ALLOWED_HOSTS) or that resolves to a loopback, link-local, private or otherwise
non-public address is refused, when saved and again before every POST (a name may later
resolve elsewhere), unless the address lies in a network the operator allows
(settings.FANGFAN_WEBHOOK_ALLOW_PRIVATE, for intranets). Redirects are not followed."""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.http.request import validate_host
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TIMEOUT_SECONDS = 10
# WeCom takes at most 4096 bytes of markdown; DingTalk about 20,000. Bodies are cut to fit.
MAX_CONTENT_BYTES = 4000


class Refused(Exception):
    """An address that may not be called, with the sentence that says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class SendFailed(Exception):
    """The robot did not take the message (network, HTTP status or its error code)."""


NOT_HTTP = gettext_lazy("Enter a web address that starts with http:// or https://.")
PRIVATE = gettext_lazy(
    "This address points to this server or to a private network. If the robot is reached "
    "on your intranet, ask the system administrator to allow its network.")


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    value = getattr(settings, "FANGFAN_WEBHOOK_ALLOW_PRIVATE", ())
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    return [ipaddress.ip_network(v, strict=False) for v in value]


def _public_or_allowed(address: str, allowed) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allowed):
        return True
    return ip.is_global and not ip.is_multicast


def check_url(url: str, resolve_failure_ok: bool = False) -> list[str]:
    """Refuse (`Refused`) an address the server may not call; the addresses its host
    resolves to otherwise. A name that does not resolve now is refused, unless
    `resolve_failure_ok` (when saved: the server may have no name service at that
    moment; every POST checks again)."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Refused(NOT_HTTP) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(NOT_HTTP)
    host = parts.hostname
    allowed = allowed_networks()
    try:
        infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        if resolve_failure_ok and not _is_literal(host) and not _own_name(host):
            return []
        if _own_name(host):
            raise Refused(PRIVATE) from exc
        raise Refused(_("The address's host cannot be found.")) from exc
    addresses = sorted({info[4][0] for info in infos})
    if not all(_public_or_allowed(a, allowed) for a in addresses):
        raise Refused(PRIVATE)
    if _own_name(host) and not all(
            any(ipaddress.ip_address(a.split("%", 1)[0]) in net for net in allowed)
            for a in addresses):
        raise Refused(PRIVATE)
    return addresses


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _own_name(host: str) -> bool:
    """A name this server answers to (its ALLOWED_HOSTS, "localhost")."""
    names = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    return host.lower() in ("localhost", "localhost.localdomain") or (
        not _is_literal(host) and validate_host(host.lower(), names))


@dataclass
class Message:
    title: str
    body: str = ""
    link: str = ""  # absolute, or empty
    urgent: bool = False


def _cut(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit - 3].decode(errors="ignore") + "…"


def markdown(message: Message) -> str:
    """The message as the robots' markdown: bold title, text, a link to open it."""
    title = message.title
    if message.urgent:
        title = _("[Urgent] %(title)s") % {"title": title}
    lines = [f"**{title}**"]
    if message.body:
        lines += ["", message.body]
    if message.link:
        label = _("Open in Fangfan")
        lines += ["", f"[{label}]({message.link})"]
    return _cut("\n".join(lines), MAX_CONTENT_BYTES)


def wecom_payload(message: Message) -> dict:
    """企业微信群机器人: {"msgtype": "markdown", "markdown": {"content": …}}."""
    return {"msgtype": "markdown", "markdown": {"content": markdown(message)}}


def dingtalk_payload(message: Message) -> dict:
    """钉钉自定义机器人: {"msgtype": "markdown", "markdown": {"title": …, "text": …}}."""
    return {"msgtype": "markdown",
            "markdown": {"title": message.title[:100], "text": markdown(message)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")),
    which goes URL-encoded into the `sign` query parameter."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The address with `timestamp` (ms) and `sign` appended (DingTalk's 加签)."""
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    query = urllib.parse.urlencode({"timestamp": timestamp_ms,
                                    "sign": dingtalk_sign(secret, timestamp_ms)})
    return url + ("&" if urllib.parse.urlsplit(url).query else "?") + query


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise SendFailed(f"HTTP {code} (redirect not followed)")


_opener = urllib.request.build_opener(_NoRedirect)


def post(kind: str, url: str, secret: str, message: Message) -> None:
    """POST the message to a robot; `SendFailed` (or `Refused`) with the reason when it
    was not taken. Both services answer HTTP 200 with {"errcode": 0} on success."""
    check_url(url)
    if kind == "dingtalk":
        payload, target = dingtalk_payload(message), signed_url(url, secret)
    else:
        payload, target = wecom_payload(message), url
    request = urllib.request.Request(
        target, data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise SendFailed(str(getattr(exc, "reason", exc))) from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
        raise SendFailed(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500])
