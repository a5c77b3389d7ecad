"""The one error handler: log (never the token) and apologize in the user's language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter

from bot.context import ForumContext
from bot.errors import ForumError

log = logging.getLogger("bot.errors")


async def _use_senders_language(update: object, context: ForumContext) -> None:
    """The error context is a fresh one: give it the sender's translator, as the prelude does."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    services = context.services
    user = update.effective_user
    try:
        stored = await context.repos.users.get(user.id)
    except Exception:  # the database may be the very error: Telegram's language will do
        stored = None
    context.tr = services.translator_for(stored.language if stored else None, user.language_code)


async def on_error(update: object, context: ForumContext) -> None:
    """Domain errors become their translated message; anything else an apology."""
    error = context.error
    if context.services.metrics is not None:
        context.services.metrics.errors.inc()
    await _use_senders_language(update, context)
    if isinstance(error, ForumError):
        text = context.tr._(error.message).format(**error.params)
    else:
        if isinstance(error, Forbidden):
            log.info("user blocked the bot: %s", error)
            return
        if isinstance(error, (RetryAfter, NetworkError)):
            log.warning("Telegram request failed: %s", error)
        else:
            log.error("unhandled error while handling an update", exc_info=error)
        text = context.tr._("Sorry, something went wrong on our side. Please try again.")
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the apology itself failed (network, blocked): logging is all we can do
        log.warning("could not send the error reply", exc_info=True)
