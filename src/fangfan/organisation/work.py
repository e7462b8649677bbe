"""The work responsibility letters give a unit each day (home page, issue 8): letters
still to be signed by their campaign's deadline."""
from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from fangfan.core.work import WorkContext, WorkItem, source


@source
def unsigned_letters(ctx: WorkContext) -> Iterator[WorkItem]:
    for letter in ctx.due("letters", "campaign__deadline", "campaign", "signer",
                          signed_on__isnull=True):
        yield ctx.item("letters", letter, _("Record the signature"),
                       due=letter.campaign.deadline, detail=letter.campaign.title,
                       title=_("Letter to be signed by %(signer)s") % {
                           "signer": letter.signer.name})
