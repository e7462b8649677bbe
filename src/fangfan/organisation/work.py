"""The work the organisation gives a unit each day (home page, issue 8): letters still to
be signed by their campaign's deadline, and rules due for review (ORG-7)."""
from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from fangfan.core import permissions, registry
from fangfan.core.work import WorkContext, WorkItem, source


@source
def unsigned_letters(ctx: WorkContext) -> Iterator[WorkItem]:
    for letter in ctx.due("letters", "campaign__deadline", "campaign", "signer",
                          signed_on__isnull=True):
        yield ctx.item("letters", letter, _("Record the signature"),
                       due=letter.campaign.deadline, detail=letter.campaign.title,
                       title=_("Letter to be signed by %(signer)s") % {
                           "signer": letter.signer.name})


@source
def rules_to_review(ctx: WorkContext) -> Iterator[WorkItem]:
    """Rules in force coming to (or past) their review date: the administrators review
    them, approving a new version or a new review date."""
    rt = registry.get("rules")
    for rule in ctx.due("rules", "review_due", approved_on__isnull=False,
                        superseded_on__isnull=True):
        if not permissions.allowed(ctx.user, "change", rt, rule.unit_path):
            continue  # the guards read the rules; reviewing them is not their work
        yield ctx.item("rules", rule, _("Review the rule"), due=rule.review_due,
                       title=_("Rule to review: %(title)s") % {"title": rule.title})
