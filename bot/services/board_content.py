"""The content file's ``recommendations:`` on the board: synced at start-up and after every
reload or upload of the content, so that what organizers write there is what participants
endorse (see :meth:`storage.endorsements.EndorsementsRepo.sync_content` for what a change or a
removal does to the votes)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from storage.endorsements import ContentItem

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)


async def sync_content_recommendations(services: Services) -> None:
    """The board's recommendations from the content file become those of the running content.

    A proposal reference the file names that does not exist (yet) is skipped; the next sync
    links it once it does.
    """
    refs = {p.reference: p.id for p in await services.repos.proposals.all()}
    items = [
        ContentItem(
            item.id,
            item.topic,
            item.text.as_dict(),
            tuple(refs[r] for r in item.proposals if r in refs),
        )
        for item in services.content.recommendations
    ]
    listed, hidden = await services.repos.endorsements.sync_content(items, services.clock.now())
    log.info("content recommendations synced: %d listed, %d hidden now", listed, hidden)
