"""/my: the sessions a person starred, in time order, clashes flagged; one .ics for all.

The page itself is bot/services/my_agenda.py's; this module reads the stars, parses ``my:ics``
and ``my:p:<page>`` and renders.
"""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.content import Session
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.services import calendar
from bot.services.my_agenda import FEATURE as FEATURE  # re-exported: bot/app.py
from bot.services.my_agenda import my_page
from handlers import render
from handlers.agenda import send_ics
from handlers.updates import user_id_of


async def starred_sessions(context: ForumContext, user_id: int) -> list[Session]:
    """The person's starred sessions that the programme still has, by start time."""
    forum = context.content
    found = [forum.session(i) for i in await context.repos.stars.sessions_of(user_id)]
    return sorted((s for s in found if s is not None), key=lambda s: (s.starts, s.ends, s.id))


async def show_my(update: Update, context: ForumContext) -> None:
    """/my and the menu button."""
    sessions = await starred_sessions(context, user_id_of(update))
    await render.show(update, context, my_page(context.tr, sessions, 0))


async def on_button(update: Update, context: ForumContext) -> None:
    """``my:ics`` and ``my:p:<page>``."""
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    tr = context.tr
    sessions = await starred_sessions(context, user_id_of(update))
    if data is not None and data.action == "ics":
        if not sessions:
            await query.answer(tr._("Your agenda is empty."), show_alert=True)
            return
        await query.answer()
        await send_ics(update, context, sessions, calendar.filename(context.content))
        return
    if data is not None and data.action == "p" and data.int_arg(0) is not None:
        await query.answer()
        await render.show(update, context, my_page(tr, sessions, data.int_arg(0) or 0))
        return
    raise StaleButton()
