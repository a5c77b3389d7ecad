"""Organizer-only actions: refused to everyone else with a localized answer."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.context import ForumContext

log = logging.getLogger(__name__)

Callback = Callable[[Update, ForumContext], Coroutine[Any, Any, Any]]


async def refuse(update: Update, context: ForumContext) -> None:
    """Tell a non-organizer that this is not for them (as an alert for a button)."""
    text = context.tr._("This is only for the forum's organizers.")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def organizer_only(callback: Callback) -> Callback:
    """Run ``callback`` only for users in ADMIN_IDS; refuse (and log) everyone else."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: ForumContext) -> Any:
        user = update.effective_user
        if user is None or not context.services.is_organizer(user.id):
            log.warning(
                "refused organizer action %s to user %s",
                callback.__name__,
                user.id if user else None,
            )
            await refuse(update, context)
            return None
        return await callback(update, context)

    return guarded
