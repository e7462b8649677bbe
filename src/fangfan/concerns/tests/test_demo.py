"""The demo (issue 12): 新桥's ledger has one open entry with its weekly contacts, seen by
the principal alone (the only one granted); its rules are in force, one past review."""
from __future__ import annotations

from django.core.management import call_command

from fangfan.concerns.models import ConcernEntry, LedgerAccess
from fangfan.core import permissions, registry
from fangfan.core.models import User
from fangfan.organisation.models import RuleDocument
from fangfan.standards.engine import evaluate_units
from fangfan.standards.models import Result


def test_demo_ledger_and_rules(db):
    call_command("demo")
    entry = ConcernEntry.objects.get()
    assert entry.is_open and entry.unit.code == "xinqiao" and entry.contacts.count() == 4
    assert list(LedgerAccess.objects.values_list("user__username", flat=True)) == [
        "xinqiao_principal"]
    rt = registry.get("concern-entries")
    for user in User.objects.all():
        assert permissions.allowed(user, "view", rt) == (user.username == "xinqiao_principal")
    evaluate_units([entry.unit_path])

    def status(urn: str) -> str:
        return Result.objects.get(unit=entry.unit, requirement__urn=urn).status

    assert status("urn:fangfan:pack:seed:r-liaison") == "met"
    assert status("urn:fangfan:pack:seed:org-rules") == "met"
    assert status("urn:fangfan:pack:seed:org-rules-review") == "unmet"
    overdue = RuleDocument.objects.filter(unit=entry.unit, superseded_on__isnull=True,
                                          review_due__lt=entry.opened_on.today())
    assert [r.kind for r in overdue] == ["patrol"]
    assert RuleDocument.objects.filter(unit=entry.unit, kind="visitor").count() == 2
