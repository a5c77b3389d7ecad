"""A message outside dialogs, menus and commands: first an answer that a survey question or a
rating comment waits for (read from the database), else a search for text, else a hint."""

from __future__ import annotations

from telegram import Update

from bot.context import ForumContext
from handlers import fallback, search
from handlers import surveys as surveys_h


async def on_message(update: Update, context: ForumContext) -> None:
    """Route the message to the first of: survey or rating answer, search, "not understood"."""
    if await surveys_h.on_message(update, context):
        return
    message = update.effective_message
    if message is not None and message.text:
        await search.on_text(update, context)
    else:
        await fallback.not_understood(update, context)
