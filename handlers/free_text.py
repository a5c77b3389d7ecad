"""A message outside dialogs, menus and commands: a search for text, else a hint.

An answer that a survey question or a rating comment waits for is a dialog of its own: the
dialog router claims it (handlers/dialogs.py), in the one query that finds any dialog."""

from __future__ import annotations

from telegram import Update

from bot.context import ForumContext
from handlers import fallback, search


async def on_message(update: Update, context: ForumContext) -> None:
    """Route the message to search, or "not understood"."""
    message = update.effective_message
    if message is not None and message.text:
        await search.on_text(update, context)
    else:
        await fallback.not_understood(update, context)
