"""The persons-of-concern ledger (INF-4, issue 12): only an explicit grant opens it —
no role implies it, not a system administrator's, a principal's or a superuser's — through
pages, API, exports, search, the home page, menus, the audit log and documents; every
read is logged and the log is the auditors'; protected traits and closures without a
reason are refused; R-LIAISON is computed from the contacts and asked only where
entries are open."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangfan.concerns import services as ledger
from fangfan.concerns.models import ConcernEntry, ContactLog, LedgerAccess, LedgerRead
from fangfan.core import permissions, registry, services
from fangfan.core.context_processors import navigation
from fangfan.core.models import AuditEntry, Role
from fangfan.core.work import WorkContext, items_for
from fangfan.resources.models import Person
from fangfan.standards import calendar, facts
from fangfan.standards.engine import evaluate_units
from fangfan.standards.models import Obligation, Requirement, Result

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
NAME = "陈某某"


@pytest.fixture
def people(tree, make_user, django_user_model):
    admin = make_user(Role.UNIT_ADMIN, tree["a"])
    principal = make_user(Role.PRINCIPAL, tree["a"])
    services.create_record(admin, LedgerAccess, {"unit": tree["a"], "user": principal})
    principal = django_user_model.objects.get(pk=principal.pk)
    liaison = services.create_record(None, Person, {"unit": tree["a"], "name": "杨联络"})
    return {"admin": admin, "principal": principal, "liaison": liaison}


def _entry(actor, unit, liaison, days: int = 20, **extra) -> ConcernEntry:
    return services.create_record(actor, ConcernEntry, {
        "unit": unit, "person_name": NAME, "observed": "多次在夜间进入配电室附近徘徊",
        "reason": "反复出现在与岗位无关的重点部位", "source": "staff_report",
        "opened_on": TODAY - days * DAY, "review_on": TODAY + 30 * DAY,
        "liaison_person": liaison, **extra})


def _contact(actor, entry, days: int) -> ContactLog:
    return services.create_record(actor, ContactLog, {
        "unit": entry.unit, "entry": entry, "contacted_on": TODAY - days * DAY,
        "method": "in_person", "contacted_by": entry.liaison_person, "note": "谈话了解近况"})


@pytest.fixture
def entry(tree, people) -> ConcernEntry:
    return _entry(people["principal"], tree["a"], people["liaison"])


def _outsiders(tree, make_user, django_user_model, people) -> dict:
    """Everyone who might be thought to see it: none holds the grant."""
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    return {"unit admin": people["admin"],
            "system admin": make_user(Role.SYSTEM_ADMIN, tree["city"]),
            "principal elsewhere": make_user(Role.PRINCIPAL, tree["b"]),
            "supervisor": make_user(Role.SUPERVISOR, tree["district"]),
            "auditor": make_user(Role.AUDITOR, tree["district"]),
            "superuser": root}


def test_without_the_grant_the_ledger_is_nowhere(tree, people, entry, make_user,
                                                 django_user_model, client, api_client):
    contact = _contact(people["principal"], entry, 2)
    rt, contacts = registry.get("concern-entries"), registry.get("concern-contacts")
    reads = LedgerRead.objects.count()
    for who, user in _outsiders(tree, make_user, django_user_model, people).items():
        client.force_login(user)
        api_client.force_authenticate(user)
        for kind, obj in ((rt, entry), (contacts, contact)):
            assert not permissions.allowed(user, "view", kind), who
            assert not kind.model.objects.filter(permissions.restrict(user, "view", kind))
            # Pages, search and exports: the type is closed (403, record or not).
            assert client.get(reverse(kind.url_name("list"))).status_code == 403, who
            assert client.get(reverse(kind.url_name("list")),
                              {"q": NAME}).status_code == 403, who
            assert client.get(reverse(kind.url_name("detail"),
                                      args=[obj.pk])).status_code == 403, who
            assert client.get(reverse(kind.url_name("export")),
                              {"format": "csv"}).status_code == 403, who
            # The API: the same for the list and any record, existing or not.
            assert api_client.get(f"/api/{kind.slug}/").status_code == 403, who
            assert api_client.get(f"/api/{kind.slug}/{obj.pk}/").status_code == 403, who
            assert api_client.get(f"/api/{kind.slug}/99999/").status_code == 403, who
            assert api_client.post(f"/api/{kind.slug}/", {}).status_code == 403, who
        # Menus and the home page.
        assert all(t.slug not in ("concern-entries", "concern-contacts")
                   for area in navigation(user) for t in area["items"]), who
        home = client.get("/").content.decode()
        assert NAME not in home and "/concern-entries/" not in home, who
        # The audit log keeps the changes, but shows them to no one without the grant.
        if permissions.can_read_audit(user):
            assert not AuditEntry.objects.filter(permissions.audit_q(user),
                                                 record_type=rt.label).exists(), who
            log = client.get(reverse("audit-log")).content.decode()
            assert NAME not in log, who
        # Documents: the work plan of the unit never carries the ledger.
        plan = client.get(reverse("work-plan", args=[tree["a"].code]))
        if plan.status_code == 200:
            assert NAME not in _docx_text(plan.content), who
    assert LedgerRead.objects.count() == reads  # nothing was read, nothing logged


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return " ".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist()
                        if n.endswith(".xml"))


def test_a_grant_opens_only_its_units_and_roles_still_apply(tree, people, entry,
                                                            make_user):
    rt = registry.get("concern-entries")
    theirs = _entry(None, tree["b"], services.create_record(
        None, Person, {"unit": tree["b"], "name": "乙联络"}))
    assert list(ConcernEntry.objects.filter(
        permissions.restrict(people["principal"], "view", rt))) == [entry]
    assert theirs.pk
    # A guard given the grant still sees nothing: the grant adds to a role, never a role.
    guard = make_user(Role.GUARD, tree["a"])
    services.create_record(people["admin"], LedgerAccess, {"unit": tree["a"], "user": guard})
    permissions.forget_grants(guard)
    assert not permissions.allowed(guard, "view", rt)
    # The principal reads and writes, but does not delete.
    assert permissions.allowed(people["principal"], "change", rt, entry.unit_path)
    assert not permissions.allowed(people["principal"], "delete", rt, entry.unit_path)


def test_every_read_is_logged_and_the_log_is_the_auditors(tree, people, entry, client,
                                                          api_client, make_user):
    contact = _contact(people["principal"], entry, 2)
    principal = people["principal"]
    client.force_login(principal)
    api_client.force_authenticate(principal)
    LedgerRead.objects.all().delete()

    def last() -> tuple:
        row = LedgerRead.objects.latest("id")
        return row.channel, row.kind, row.record_ids, row.reader_id, row.unit_id

    assert client.get(reverse("records:concern-entries-list")).status_code == 200
    assert last() == ("list", "concern-entries", str(entry.pk), principal.pk, tree["a"].pk)
    html = client.get(entry.get_absolute_url())
    assert html.status_code == 200
    assert last()[:3] == ("detail", "concern-entries", str(entry.pk))
    assert client.get(reverse("records:concern-entries-list"),
                      {"q": "配电室"}).status_code == 200
    assert last()[0] == "list"
    assert api_client.get("/api/concern-entries/").status_code == 200
    assert last()[:3] == ("api", "concern-entries", str(entry.pk))
    assert api_client.get(f"/api/concern-entries/{entry.pk}/").status_code == 200
    assert last()[:3] == ("detail", "concern-entries", str(entry.pk))
    resp = client.get(reverse("records:concern-entries-export"), {"format": "csv"})
    assert resp.status_code == 200
    b"".join(resp.streaming_content)
    assert last()[:3] == ("export", "concern-entries", str(entry.pk))
    assert client.get(reverse("records:concern-entries-export")).status_code == 200
    assert last()[0] == "export"
    assert api_client.get("/api/concern-contacts/").status_code == 200
    assert last()[:3] == ("api", "concern-contacts", str(contact.pk))
    count = LedgerRead.objects.count()
    assert count >= 8

    # The district's auditor reads the log (never the ledger); school B's admin does not.
    auditor = make_user(Role.AUDITOR, tree["district"])
    client.force_login(auditor)
    page = client.get(reverse("records:ledger-reads-list"))
    assert page.status_code == 200
    assert page.content.decode().count('href="/ledger-reads/') >= 8
    assert NAME not in page.content.decode()
    assert client.get(reverse("records:concern-entries-list")).status_code == 403
    other = make_user(Role.UNIT_ADMIN, tree["b"])
    assert not LedgerRead.objects.filter(
        permissions.restrict(other, "view", registry.get("ledger-reads"))).exists()
    assert LedgerRead.objects.count() == count  # reading the log is not a ledger read


def test_protected_traits_are_refused_with_the_reason(tree, people, client):
    before = ConcernEntry.objects.count()
    for field, text in (("observed", "维吾尔族学生，经常去清真寺"),
                        ("reason", "有精神病史"), ("person_name", "回族张某"),
                        ("reason", "籍贯新疆"), ("observed", "Attends a mosque"),
                        ("reason", "Religious views")):
        with pytest.raises(ValidationError) as exc:
            _entry(people["principal"], tree["a"], people["liaison"], **{field: text})
        assert "protected trait" in " ".join(exc.value.message_dict[field])
    assert ConcernEntry.objects.count() == before
    # A name like "Huimin" is not the word "Hui".
    assert _entry(people["principal"], tree["a"], people["liaison"],
                  person_name="Li Huimin").pk
    # The form says why, and refuses with the reason.
    client.force_login(people["principal"])
    form = client.get(reverse("records:concern-entries-add")).content.decode()
    assert "Never record ethnicity, religion or belief, health or origin" in form
    resp = client.post(reverse("records:concern-entries-add"), {
        "unit": tree["a"].pk, "person_name": "张某", "observed": "宗教活动频繁",
        "reason": "行为异常", "source": "other", "opened_on": TODAY, "review_on": TODAY,
        "liaison_person": people["liaison"].pk, "status": "open"})
    assert resp.status_code == 400 and "protected trait" in resp.content.decode()
    # A contact's note too.
    entry = ConcernEntry.objects.latest("id")
    with pytest.raises(ValidationError) as exc:
        services.create_record(people["principal"], ContactLog, {
            "unit": tree["a"], "entry": entry, "contacted_on": TODAY, "method": "phone",
            "contacted_by": people["liaison"], "note": "了解其宗教信仰"})
    assert "note" in exc.value.message_dict


def test_closing_needs_a_reason_and_a_date(tree, people, entry):
    with pytest.raises(ValidationError) as exc:
        services.update_record(people["principal"], entry,
                               {"status": "closed", "closed_on": TODAY})
    assert "closing_reason" in exc.value.message_dict
    entry.refresh_from_db()
    assert entry.is_open
    with pytest.raises(ValidationError) as exc:
        services.update_record(people["principal"], entry, {"liaison_person": None})
    assert "liaison" in exc.value.message_dict
    entry.refresh_from_db()
    services.update_record(people["principal"], entry, {
        "status": "closed", "closed_on": TODAY, "closing_reason": "已调离本单位，移交属地派出所"})
    with pytest.raises(ValidationError) as exc:
        services.create_record(people["principal"], ContactLog, {
            "unit": tree["a"], "entry": entry, "contacted_on": TODAY + DAY,
            "method": "phone", "contacted_by": people["liaison"]})
    assert "contacted_on" in exc.value.message_dict


def test_grants_are_explicit_given_by_another_and_audited(tree, people, make_user):
    admin = people["admin"]
    with pytest.raises(ValidationError) as exc:
        services.create_record(admin, LedgerAccess, {"unit": tree["a"], "user": admin})
    assert "user" in exc.value.message_dict
    stranger = make_user(Role.STAFF, tree["b"])
    with pytest.raises(ValidationError) as exc:
        services.create_record(admin, LedgerAccess, {"unit": tree["a"], "user": stranger})
    assert "user" in exc.value.message_dict
    # A principal does not give it.
    other = make_user(Role.STAFF, tree["a"])
    with pytest.raises(services.OutOfScope):
        services.create_record(people["principal"], LedgerAccess,
                               {"unit": tree["a"], "user": other})
    grant = LedgerAccess.objects.get(user=people["principal"])
    assert grant.granted_by == admin
    assert AuditEntry.objects.filter(record_type="concerns.ledgeraccess",
                                     record_id=str(grant.pk), action="create").exists()


def _status(unit) -> str:
    evaluate_units([unit.path])
    return Result.objects.get(unit=unit, requirement__ref="R-LIAISON").status


def test_r_liaison_from_contacts_and_only_where_entries_are_open(tree, people):
    a, b = tree["a"], tree["b"]
    assert _status(b) == "not_applicable"  # no ledger at all
    entry = _entry(people["principal"], a, people["liaison"], days=20)
    _contact(people["principal"], entry, 10)
    values = facts.compute_unit(a.path)[a.path]
    assert values["concern_entries_open"] == 1
    assert values["concern_entries_contact_overdue"] == 1
    assert _status(a) == "unmet"
    _contact(people["principal"], entry, 1)
    assert facts.compute_unit(a.path)[a.path]["concern_entries_contact_overdue"] == 0
    assert _status(a) == "met"
    # An entry made today is not yet overdue.
    _entry(people["principal"], a, people["liaison"], days=0)
    assert _status(a) == "met"
    for e in ConcernEntry.objects.filter(unit=a):
        services.update_record(people["principal"], e, {
            "status": "closed", "closed_on": TODAY, "closing_reason": "经研判解除关注"})
    assert _status(a) == "not_applicable"


def test_weekly_obligation_closes_when_every_open_entry_was_contacted(tree, people):
    a = tree["a"]
    first = _entry(people["principal"], a, people["liaison"], days=20)
    second = _entry(people["principal"], a, people["liaison"], days=20)
    req = Requirement.objects.get(ref="R-LIAISON")
    start = TODAY - TODAY.weekday() * DAY
    ob = Obligation.objects.create(unit=a, unit_path=a.path, requirement=req,
                                   period_start=start, period_end=start + 6 * DAY,
                                   due_on=start + 6 * DAY)
    _contact(people["principal"], first, 0)
    ob.refresh_from_db()
    assert ob.done_on is None  # the second entry is still waiting
    last = _contact(people["principal"], second, 0)
    ob.refresh_from_db()
    assert ob.done_on == TODAY and ob.fulfilled_by_id == str(last.pk)
    assert calendar.catch_up(TODAY) == 0


def test_weekly_contact_is_work_only_for_grant_holders(tree, people, entry):
    def work(user) -> dict[str, str]:
        ctx = WorkContext(user=user, paths=[tree["a"].path])
        return {i.title: i.url for items in items_for(ctx).values() for i in items}

    mine = work(people["principal"])
    title = f"Weekly contact: {entry}"
    assert title in mine and f"entry={entry.pk}" in mine[title]
    assert NAME not in " ".join(mine)  # the home page names the entry, never the person
    assert not any(str(entry) in t for t in work(people["admin"]))
    assert ledger.unmet_in(tree["a"].pk, TODAY - 6 * DAY, TODAY).count() == 1


def test_a_case_cannot_cite_a_ledger_entry(tree, people, entry):
    """An accountability case is read without the grant: citing an entry by number would
    tell whether it exists."""
    from fangfan.organisation.models import Case, CaseLink

    case = services.create_record(people["admin"], Case, {
        "unit": tree["a"], "kind": "accountability", "ground": "late_reporting",
        "title": "迟报", "decided_on": TODAY, "person": people["liaison"]})
    with pytest.raises(ValidationError) as exc:
        services.create_record(people["admin"], CaseLink, {
            "unit": tree["a"], "case": case, "record_type": "concern-entries",
            "record_id": entry.pk})
    assert "record_type" in exc.value.message_dict
