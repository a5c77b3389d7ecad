"""Whether a person has a dialog row at all: the dialog router's one cheap question per message."""

from __future__ import annotations

from storage.db import Database


class DialogsRepo:
    """Reads the rows that say a person is in a dialog (drafts, an awaited review comment, Q&A)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def any_open(self, user_id: int) -> bool:
        """True if the person has a proposal draft, an awaited comment, a broadcast draft or a
        Q&A dialog (question, reply, poll)."""
        found = await self.db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM proposal_drafts WHERE user_id = ?)"
            " OR EXISTS (SELECT 1 FROM proposal_review_inputs WHERE user_id = ?)"
            " OR EXISTS (SELECT 1 FROM broadcasts WHERE created_by = ? AND state = 'draft')"
            " OR EXISTS (SELECT 1 FROM qa_drafts WHERE user_id = ?)",
            (user_id, user_id, user_id, user_id),
        )
        return bool(found)
