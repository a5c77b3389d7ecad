"""Whether a person has a dialog row at all: the dialog router's one cheap question per message."""

from __future__ import annotations

from storage.db import Database
from storage.endorsements import BOARD_AWAITS_TEXT


class DialogsRepo:
    """Reads the rows that say a person is in a dialog (drafts, an awaited review comment, Q&A)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def any_open(self, user_id: int) -> bool:
        """True if some dialog awaits a message from the person: a proposal draft, an awaited
        review comment, a broadcast draft, a Q&A dialog (question, reply, poll), one of the
        review board's texts (a review comment, a declared organization, a revised field, a
        decision message, a recommendation, an endorsement comment), or the answer to a survey
        question or a rating's comment."""
        row = await self.db.fetchone(
            "SELECT 1 FROM answer_cursors WHERE user_id = ?1"
            " UNION ALL SELECT 1 FROM proposal_drafts WHERE user_id = ?1"
            " UNION ALL SELECT 1 FROM proposal_review_inputs WHERE user_id = ?1"
            " UNION ALL SELECT 1 FROM broadcasts WHERE created_by = ?1 AND state = 'draft'"
            " UNION ALL SELECT 1 FROM qa_drafts WHERE user_id = ?1"
            " UNION ALL " + BOARD_AWAITS_TEXT + " LIMIT 1",
            (user_id,),
        )
        return row is not None
