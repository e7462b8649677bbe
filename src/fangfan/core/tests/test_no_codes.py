"""No internal codes where names belong (issue 8): for every demo-like role, in English
and in Chinese, every page the role can reach — home, each record type's list, a record's
page, the add and import forms, compliance, overview, calendar, audit log and an entry,
notifications, accounts, and whatever the menu links to — is read as a user reads it
(text only: no tags, attribute values or scripts, and not the small muted rule tag) and
must show no pack URN, no rule id, no fact name, no model label and no raw choice code.
The pages come from the registry, so a new record type is scanned without touching this
file."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from fangfan.core import permissions, registry, services
from fangfan.core.fields import ChoiceListField
from fangfan.core.models import AuditEntry, Role
from fangfan.core.tests.helpers import hold_grant
from fangfan.standards import calendar, engine
from fangfan.standards.facts import FACTS

# Where each role is granted (the demo's shape): authorities above, the rest at a school.
ROLES = {Role.SYSTEM_ADMIN: "city", Role.SUPERVISOR: "district", Role.UNIT_ADMIN: "a",
         Role.PRINCIPAL: "a", Role.GUARD: "a", Role.STAFF: "a", Role.AUDITOR: "a"}
LANGUAGES = ["en", "zh-hans"]
# Pages that are not pages: downloads, exports, actions, other languages' switches.
NOT_PAGES = re.compile(r"/(export|attach|files|api|language|logout|switch-unit)(/|$)|"
                       r"\.docx$|/refresh/$|/read/$|/revoke/$|/delete/$")


class _Text(HTMLParser):
    """The text nodes of a page as a reader sees them: no scripts or styles, no attribute
    values, and nothing inside an element of class `rule-tag` (the experts' muted tag)."""

    SKIP = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.stack: list[bool] = []  # per open element: is its content hidden?
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in self.VOID:
            return
        hidden = (tag in self.SKIP or "rule-tag" in (attrs.get("class") or "").split()
                  or bool(self.stack and self.stack[-1]))
        self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]) and data.strip():
            self.nodes.append(data.strip())


def _choice_codes() -> set[str]:
    """Codes of every choice field of every registered model that a reader would take for
    a code: with an underscore, or other than their label (in either language)."""
    from django.utils import translation

    names = set()
    for rt in registry.record_types():
        for f in rt.model._meta.get_fields():
            choices = getattr(f, "options", None) if isinstance(f, ChoiceListField) else \
                getattr(f, "choices", None)
            for code, label in choices or []:
                if not isinstance(code, str) or not code or code.isdigit():
                    continue
                with translation.override("en"):
                    english = str(label)
                if "_" in code or code != english:
                    names.add(code)
    # A code that is also a word users are shown elsewhere, or a unit's code (data the
    # users typed), is not evidence of a leak.
    from fangfan.core.models import Unit

    return names - _words_shown() - set(Unit.objects.values_list("code", flat=True))


def _words_shown() -> set[str]:
    from django.utils import translation

    words = set()
    with translation.override("en"):
        for rt in registry.record_types():
            meta = rt.model._meta
            words |= {str(meta.verbose_name), str(meta.verbose_name_plural)}
            words |= {str(f.verbose_name) for f in meta.fields}
    return words


def _model_labels() -> re.Pattern:
    labels = sorted({m._meta.label_lower for m in apps.get_models()}, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, labels)) + r")(?![\w])", re.I)


FACT_NAMES = re.compile(r"(?<![\w-])(" + "|".join(sorted(FACTS, key=len, reverse=True))
                        + r")(?![\w-])")
RULE_ID = re.compile(r"(?<![\w-])R-[A-Z]+(?![\w-])")
UNIT_PATH = re.compile(r"^(0000\d{4})+$")
# A time as Python prints it (2026-11-25 22:21:49.279218+00:00), not as people read it.
RAW_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+|[+-]\d\d:\d\d)")
RAW_VALUES = {"True", "False", "None"}
RAW_JSON = re.compile(r"""[{\[]\s*['"][\w-]+['"]\s*:""")
WORD = re.compile(r"[A-Za-z0-9_]+")


def problems(html: str, codes: set[str], labels: re.Pattern) -> list[str]:
    """What a reader would see that is a code, each with a little context."""
    text = _Text()
    text.feed(html)
    found = []
    for node in text.nodes:
        hits = []
        if "urn:" in node:
            hits.append("URN")
        hits += [f"rule id {m}" for m in RULE_ID.findall(node)]
        hits += [f"fact {m}" for m in FACT_NAMES.findall(node)]
        hits += [f"model label {m}" for m in labels.findall(node)]
        if node in codes:
            hits.append(f"choice code {node}")
        hits += [f"choice code {w}" for w in WORD.findall(node) if "_" in w and w in codes]
        if RAW_JSON.search(node):
            hits.append("raw JSON")
        if node in RAW_VALUES or UNIT_PATH.match(node) or RAW_TIME.search(node):
            hits.append(f"raw value {node}")
        found += [f"{hit}: «{node[:120]}»" for hit in hits]
    return found


def page_links(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.links


@pytest.fixture
def world(tree, django_user_model):
    """One record of every type at school A (made as in the scoping matrix), computed
    results, the calendar's obligations and their reminders."""
    root = django_user_model.objects.create_superuser("scan-root", password="x" * 12)
    for rt in registry.record_types():
        if rt.example is not None:
            hold_grant(rt, root, tree["a"])
            services.create_record(root, rt.model, rt.example(tree["a"]))
    return root


def _pages(user, tree) -> list[str]:
    """Every page of the role, from the registry and the fixed pages, plus what its home
    page links to."""
    a, own = tree["a"], tree[ROLES[user.grants.first().role]]
    urls = [reverse("home"), reverse("notifications"), reverse("accounts-manage")]
    for rt in registry.record_types():
        if not permissions.allowed(user, "view", rt):
            continue
        urls.append(reverse(rt.list_url_name))
        obj = rt.model.objects.filter(permissions.restrict(user, "view", rt)).order_by(
            "-pk").first()
        if obj is not None:
            urls.append(reverse(rt.url_name("detail"), args=[obj.pk]))
            if permissions.allowed(user, "change", rt):
                urls.append(reverse(rt.edit_url_name, args=[obj.pk]))
        for action in ("add", "import"):
            if permissions.allowed(user, action, rt):
                urls.append(reverse(rt.url_name(action)))
    for name, code in [("compliance-unit", a.code), ("compliance-unit", own.code),
                       ("compliance-overview", own.code), ("calendar-unit", a.code),
                       ("calendar-unit", own.code), ("gap-matrix", None)]:
        try:
            urls.append(reverse(name, args=[code] if code else []))
        except NoReverseMatch:
            continue
    urls.append(reverse("compliance-unit", args=[a.code]) + "?own=1")
    if permissions.can_read_audit(user):
        urls.append(reverse("audit-log"))
        entry = AuditEntry.objects.filter(permissions.audit_q(user)).order_by("-pk").first()
        if entry is not None:
            urls.append(reverse("audit-entry", args=[entry.pk]))
    return urls


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(ROLES))
def test_no_codes_on_any_page(role, language, tree, world, make_user, client):
    user = make_user(role, tree[ROLES[role]], language=language)
    make_user(Role.UNIT_ADMIN, tree["a"], username="lead-a")  # receives the reminders
    engine.evaluate_subtree([tree["city"].path])
    calendar.tick(timezone.localdate())
    client.force_login(user)
    codes, labels = _choice_codes(), _model_labels()
    todo, seen, found = _pages(user, tree), set(), []
    home_links, titles = True, 0
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        resp = client.get(url, follow=True)
        assert resp.status_code < 500, url
        if "html" not in resp.get("Content-Type", ""):
            continue
        html = resp.content.decode()
        found += [f"{url}: {p}" for p in problems(html, codes, labels)]
        titles += html.count("Full-time guards") + html.count("专职保安员配备")
        if home_links:  # what the menu and the day's work link to
            home_links = False
            todo += [u for u in page_links(html) if _is_page(u) and u not in seen]
    assert not found, f"{role} ({language}) sees codes:\n" + "\n".join(sorted(set(found)))
    if permissions.allowed(user, "view", registry.get("compliance-results")):
        assert titles, "no requirement was named on any page: the scan saw no results"


def _is_page(url: str) -> bool:
    parts = urlsplit(url)
    return (not parts.scheme and not parts.netloc and parts.path.startswith("/")
            and not NOT_PAGES.search(parts.path))


def test_the_scan_catches_codes():
    """The checker itself: each kind of code is found, the muted tag and attributes are
    not."""
    codes, labels = {"in_service"}, _model_labels()
    html = ('<p data-x="urn:fangfan:pack:seed R-SELF guards_total core.rolegrant">ok</p>'
            '<span class="rule-tag text-secondary small">R-SELF</span>'
            '<script>var x = "urn:x R-SELF";</script>'
            '<td>in_service</td><td>urn:fangfan:pack:seed</td><td>R-STAFF: x</td>'
            '<td>guards_on_duty: missing</td><td>Core.rolegrant</td><td>True</td>'
            '<td>{"night_capable": true}</td><td>Status: in_service</td>'
            '<td>2026-11-25 22:21:49.279218+00:00</td>')
    found = problems(html, codes, labels)
    kinds = {p.split(":")[0].split(" ")[0] for p in found}
    assert kinds == {"URN", "rule", "fact", "model", "choice", "raw"}
    assert any("raw JSON" in p for p in found) and "choice code in_service: «Status: in_" \
        in " ".join(found)
    assert problems('<span class="rule-tag">R-SELF</span><b title="R-SELF">x</b>',
                    codes, labels) == []
