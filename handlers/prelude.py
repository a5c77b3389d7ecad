"""Group -1, before every feature: know the user, pick their language, hold back floods."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import ForumContext
from storage.users import User

# last_seen is refreshed at most this often, so a busy user costs one write a minute, not one
# per update.
_SEEN_EVERY = timedelta(minutes=1)


def _stale(stored: User, now: datetime) -> bool:
    try:
        return now - datetime.fromisoformat(stored.last_seen) >= _SEEN_EVERY
    except ValueError:
        return True


async def prelude(update: Update, context: ForumContext) -> None:
    """Upsert the user, set ``context.tr`` to their language, apply the flood guard."""
    tg_user = update.effective_user
    if tg_user is None or tg_user.is_bot:
        return
    services = context.services
    now = context.clock.now()
    # The stored row: kept in memory between updates, forgotten by every write to it (such as
    # the sender marking a block), so most updates need no query (storage/users.py).
    stored = await context.repos.users.get(tg_user.id)
    if (
        stored is None
        or stored.blocked
        or stored.first_name != (tg_user.first_name or "")
        or stored.last_name != tg_user.last_name
        or stored.username != tg_user.username
        or stored.language_code != tg_user.language_code
        or _stale(stored, now)
    ):
        stored = await context.repos.users.upsert_seen(
            tg_user.id,
            first_name=tg_user.first_name or "",
            last_name=tg_user.last_name,
            username=tg_user.username,
            language_code=tg_user.language_code,
            now=now,
        )
    context.user = stored
    context.tr = services.translator_for(stored.language, tg_user.language_code)

    verdict = services.flood.check(tg_user.id, context.clock.monotonic())
    if verdict.allowed:
        return
    if verdict.notify and update.effective_chat is not None:
        await context.bot.send_message(
            update.effective_chat.id,
            context.tr._("You are sending messages too fast. Please wait a few seconds."),
        )
    if update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop


def remember(context: ForumContext, user: User) -> None:
    """Use ``user`` (just re-read after a feature changed it) for the rest of this update."""
    context.user = user
    context.tr = context.services.translator_for(user.language, user.language_code)
