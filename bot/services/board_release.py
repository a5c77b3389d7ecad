"""Releasing decisions: every decision pending release, the review board's (/board) and the
organizers' review's (/proposals) alike, applied at once with its notice to the authors.

A pending decision lives in one place, ``board_decisions`` (migration 0013), whichever screen
made it. "Release decisions" on either screen calls :func:`release_decisions`: the decisions and
their notices commit in ONE transaction; the notices are outbox rows (dedup key
``decision:<proposal>:<decision>:<decided at>``) that the sender delivers and retries, so a
crash or a failed send loses nothing and sends nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.i18n import N_
from bot.services.board_views import button, keyboard
from bot.services.outbox import OutgoingMessage, to_rows, wake
from bot.services.revisions import field_names
from bot.views import keyboard_json
from storage.reviews import Decision

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

NOTICES = {
    "accept": N_('Good news! Your proposal {reference} "{title}" has been accepted.'),
    "reject": N_('Your proposal {reference} "{title}" was not accepted this time.'),
    "revise": N_('The organizers ask you to revise your proposal {reference} "{title}".'),
    "review": N_('Your proposal {reference} "{title}" is now under review.'),
}


@dataclass(frozen=True, slots=True)
class Released:
    """What one release did: decisions applied and notices queued for the authors."""

    decisions: int
    notices: int


async def release_decisions(services: Services) -> Released:
    """Apply every pending decision and queue the authors' notices, atomically."""
    now = services.clock.now()
    reviews = services.repos.reviews
    async with services.db.transaction():
        pending = await reviews.pending()
        messages = []
        for decision in pending:
            messages.extend(await decision_notice(services, decision))
        await reviews.mark_released(pending, now)
        queued = await services.repos.outbox.insert(to_rows(messages), now)
    if queued:
        wake(services)
    log.info("released %d decisions, %d notices queued", len(pending), queued)
    return Released(len(pending), queued)


async def decision_notice(services: Services, d: Decision) -> list[OutgoingMessage]:
    """The authors' notice of a decision in their language (none for erased or blocked
    people): the decision, the organizers' message, the fields to revise and, when chosen, the
    reviewers' comments for the authors."""
    p = await services.repos.proposals.get(d.proposal_id)
    if p is None or p.user_id is None or p.status == "withdrawn":
        return []
    user = await services.repos.users.get(p.user_id)
    if user is None or user.blocked:
        return []
    tr = services.translator_for(user.language, user.language_code or p.language)
    text = tr._(NOTICES[d.decision]).format(reference=p.reference, title=p.title)
    if d.message:
        text += "\n\n" + tr._("Message from the organizers:") + "\n" + d.message
    if d.decision == "revise" and d.fields:
        text += "\n\n" + tr._("Please revise: {fields}").format(fields=field_names(tr, d.fields))
    if d.author_comments:
        comments = [
            r.author_comment
            for r in await services.repos.reviews.reviews_for(p.id)
            if r.author_comment and r.submitted_at
        ]
        if comments:
            text += "\n\n" + tr._("Comments from the reviewers:")
            text += "".join(f"\n— {c}" for c in comments)
    markup = None
    if d.decision == "revise":
        markup = keyboard_json(keyboard([[button("rs", tr._("✏️ Revise the proposal"), "e", p.id)]]))
    # One notice per decision made: a later decision on the same proposal (after revisions)
    # is another decision, while a retried release finds its notice already queued.
    key = f"decision:{p.id}:{d.decision}:{d.decided_at}"
    return [OutgoingMessage(p.user_id, text, key, "decision", reply_markup=markup)]
