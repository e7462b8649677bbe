"""Rule documents (ORG-7, issue 12): versioned, a new approved version supersedes the
one it replaces (kept as history); the facts of the rule system and its reviews; a rule
past its review date is work for the administrator."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangfan.core import services
from fangfan.core.models import Role
from fangfan.core.work import WorkContext, items_for
from fangfan.organisation.models import REQUIRED_RULES, RuleDocument
from fangfan.resources.models import Person
from fangfan.standards import facts
from fangfan.standards.engine import evaluate_units
from fangfan.standards.models import Result

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture
def principal(tree) -> Person:
    return services.create_record(None, Person, {"unit": tree["a"], "name": "张校长"})


def _rule(actor, unit, approver, kind="visitor", approved=100, review=200, **extra):
    return services.create_record(actor, RuleDocument, {
        "unit": unit, "kind": kind, "title": f"{kind}制度",
        "approved_on": TODAY - approved * DAY if approved is not None else None,
        "approved_by": approver if approved is not None else None,
        "review_due": TODAY + review * DAY, **extra})


def test_a_new_version_supersedes_the_old_once_approved(tree, principal, unit_admin):
    first = _rule(unit_admin, tree["a"], principal)
    assert (first.version, first.in_force) == (1, True)
    draft = _rule(unit_admin, tree["a"], principal, approved=None, supersedes=first)
    first.refresh_from_db()
    assert draft.version == 2 and first.in_force  # a draft replaces nothing yet
    services.update_record(unit_admin, draft, {"approved_on": TODAY, "approved_by": principal})
    first.refresh_from_db()
    assert first.superseded_on == TODAY and not first.in_force
    assert draft.in_force and RuleDocument.objects.count() == 2  # history kept
    # Only one successor, of the same kind, approved after it.
    with pytest.raises(ValidationError):
        _rule(unit_admin, tree["a"], principal, supersedes=first)
    with pytest.raises(ValidationError) as exc:
        _rule(unit_admin, tree["a"], principal, kind="patrol", supersedes=draft)
    assert "supersedes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _rule(unit_admin, tree["a"], principal, approved=101, supersedes=draft)
    assert "approved_on" in exc.value.message_dict


def test_approval_names_the_approver_and_review_follows_it(tree, principal, unit_admin):
    with pytest.raises(ValidationError) as exc:
        _rule(unit_admin, tree["a"], None)
    assert "approved_by" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _rule(unit_admin, tree["a"], principal, approved=10, review=-20)
    assert "review_due" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _rule(unit_admin, tree["a"], principal, approved=-1)
    assert "approved_on" in exc.value.message_dict
    assert not RuleDocument.objects.exists()


def _status(unit, rid: str) -> str:
    evaluate_units([unit.path])
    return Result.objects.get(unit=unit, requirement__urn=f"urn:fangfan:pack:seed:{rid}").status


def test_rule_facts_and_the_pack(tree, principal, unit_admin):
    a = tree["a"]
    assert facts.compute_unit(a.path).get(a.path, {}).get("rules_missing") is None
    assert _status(a, "org-rules") == "unknown"
    old = _rule(unit_admin, a, principal, kind="duty", review=-5)
    values = facts.compute_unit(a.path)[a.path]
    assert values["rules_missing"] == len(REQUIRED_RULES) - 1
    assert values["rules_review_overdue"] == 1
    for kind in REQUIRED_RULES:
        if kind != "duty":
            _rule(unit_admin, a, principal, kind=kind)
    _rule(unit_admin, a, principal, kind="other")  # not one of the required
    assert facts.compute_unit(a.path)[a.path]["rules_missing"] == 0
    assert _status(a, "org-rules") == "met"
    assert _status(a, "org-rules-review") == "unmet"
    # Reviewed: a new version approved today, the old one superseded.
    _rule(unit_admin, a, principal, kind="duty", approved=0, review=365, supersedes=old)
    values = facts.compute_unit(a.path)[a.path]
    assert (values["rules_missing"], values["rules_review_overdue"]) == (0, 0)
    assert _status(a, "org-rules-review") == "met"


def test_a_rule_past_review_is_the_administrators_work(tree, principal, unit_admin,
                                                      make_user):
    rule = _rule(unit_admin, tree["a"], principal, review=-3)

    def work(user) -> dict[str, tuple[str, str]]:
        ctx = WorkContext(user=user, paths=[tree["a"].path])
        return {i.title: (i.action, i.url) for items in items_for(ctx).values()
                for i in items}

    title = f"Rule to review: {rule.title}"
    assert work(unit_admin)[title] == ("Review the rule", f"/rules/{rule.pk}/edit/")
    assert title not in work(make_user(Role.GUARD, tree["a"]))  # guards read rules only
