"""Live Q&A: the one flow handlers use, put together from its parts.

Asking (``qa_ask``), the list and votes (``qa_votes``) and moderation (``qa_moderation``) each
have their module over the shared base (``qa_common``); polls are ``polls``. This module joins
them into :class:`QaFlow` and routes a message to the dialog waiting for it. Messages the bot
sends on its own go through the outbox in the same transaction as the change; every change the
hall screen shows is announced to :class:`bot.services.hall.HallHub`.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.polls import PollFlow
from bot.services.qa_ask import QaAsk
from bot.services.qa_common import outcome
from bot.services.qa_moderation import QaModeration
from bot.services.qa_votes import QaVotes
from bot.views import Outcome


class QaFlow(QaAsk, QaVotes, QaModeration):
    """Q&A for one person at a time, over the services (content, clock, repository, outbox)."""

    async def text(self, tr: Translator, user_id: int, text: str | None) -> Outcome:
        """A message while a dialog waits for text: the question, a reply, a poll."""
        draft = await self.repo.draft(user_id)
        if draft is None:
            return outcome()
        if draft.step == "reply":
            return await self._reply_text(tr, user_id, draft.ref, text)
        if draft.step == "poll":
            return await PollFlow(self.services).typed(tr, user_id, draft.session_id, text)
        return await self.question_text(tr, user_id, draft, text)
