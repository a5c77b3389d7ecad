"""Messages and /cancel inside a dialog go to the flow whose stored row claims the person.

The rule (see DESIGN, "Dialogs"): no ConversationHandler. Where a person is in a dialog is the
flow's own database row (a proposal draft, an awaited review comment, a broadcast draft, a
survey question awaiting its answer). This handler group runs before the features: each dialog in
turn reads its row and, if it claims the update, handles it and the update stops here; otherwise
the features (menu, search, fallbacks) get it. A person who lost the role a dialog needs is not
claimed: their dialog ends and their text is free again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import ForumContext
from bot.views import Outcome
from handlers import render

# (update, context) -> True when the dialog handled the update.
Claim = Callable[[Update, ForumContext], Awaitable[bool]]


async def claimed(update: Update, context: ForumContext, outcome: Outcome | None) -> bool:
    """Render a dialog's outcome; None means the dialog did not claim the update."""
    if outcome is None:
        return False
    await render.deliver(update, context, outcome)
    return True


class DialogRouter:
    """The dialogs' claims on free text and on /cancel, asked in order."""

    def __init__(self, text: Sequence[Claim], cancel: Sequence[Claim]) -> None:
        self.text = list(text)
        self.cancel = list(cancel)

    async def on_text(self, update: Update, context: ForumContext) -> None:
        """A message that is neither a command nor a menu button."""
        await self._first(self.text, update, context)

    async def on_cancel(self, update: Update, context: ForumContext) -> None:
        """/cancel: the dialog the person is in ends (no dialog: the features answer)."""
        await self._first(self.cancel, update, context)

    @staticmethod
    async def _first(claims: Sequence[Claim], update: Update, context: ForumContext) -> None:
        if update.effective_user is None:
            return
        # One query for the common case (no dialog at all) instead of one per dialog.
        if not await context.repos.dialogs.any_open(update.effective_user.id):
            return
        for claim in claims:
            if await claim(update, context):
                raise ApplicationHandlerStop
