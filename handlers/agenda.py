"""/agenda (days, time slots, track filter, pages), session cards, /now and session deep links.

What each screen shows is decided in bot/services/agenda_views.py (lists), agenda_card.py (a
session's card) and agenda_now.py (/now); this module parses the ``ag:*`` buttons, stars and
unstars, sends the calendar file and renders. A button pointing at a session a reload removed
answers "no longer in the programme".
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot import callbacks
from bot.content import Session
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.i18n import Translator
from bot.services import agenda_views as views
from bot.services import calendar, qr
from bot.services.agenda_card import session_card
from bot.services.agenda_now import now_screen
from bot.services.agenda_views import FEATURE as FEATURE  # re-exported: bot/app.py
from bot.services.agenda_views import esc as esc  # re-exported: admin, search, speakers
from handlers import render
from handlers.updates import message_of, user_id_of

log = logging.getLogger(__name__)


def session_button(
    tr: Translator, session: Session, *, with_time: bool = True
) -> InlineKeyboardButton:
    """A button opening the session's card: "10:00 · Title" (for speakers' cards, search)."""
    return render.inline_button(views.session_button(tr, session, with_time=with_time))


async def show(
    update: Update, context: ForumContext, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit the pressed message in place (text messages), else send a new message (HTML)."""
    await render.edit_or_send(
        context,
        render.chat_id(update),
        text,
        markup,
        message_id=render.pressed_message_id(update.callback_query),
        html=True,
    )


async def answer_gone(update: Update, context: ForumContext) -> None:
    """The polite answer to a button of a session a reload removed."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.tr._(views.GONE_SESSION), show_alert=True)


def deep_link(context: ForumContext, kind: str, item_id: str) -> str | None:
    """``https://t.me/<bot>?start=<kind>_<id>`` (None if the bot's username is unknown)."""
    username = context.bot.username if context.bot is not None else None
    return qr.deep_link(username, kind, item_id) if username else None


async def show_agenda(update: Update, context: ForumContext) -> None:
    """/agenda and the menu button: a day picker for a multi-day forum, else the day's list."""
    screen = views.agenda_screen(context.tr, context.content, context.clock.now())
    await render.show(update, context, screen)


async def open_session(
    update: Update, context: ForumContext, session: Session, *, starred: bool | None = None
) -> None:
    """Show the card (in place after a button, else as a new message). ``starred``: what a
    star or unstar just wrote, so it is not read back."""
    user = update.effective_user
    if starred is None:
        starred = user is not None and await context.repos.stars.is_starred(user.id, session.id)
    card = session_card(
        context.tr,
        context.content,
        session,
        starred=starred,
        link=deep_link(context, "session", session.id),
        now=context.clock.now(),
    )
    await render.show(update, context, card)


async def open_session_link(update: Update, context: ForumContext, rest: str) -> None:
    """``/start session_<id>``."""
    session = context.content.session(rest)
    if session is None:
        await message_of(update).reply_text(context.tr._(views.GONE_SESSION))
        return
    await open_session(update, context, session)


async def show_now(update: Update, context: ForumContext) -> None:
    """/now and the menu button."""
    await render.show(update, context, now_screen(context.tr, context.content, context.clock.now()))


# ----------------------------------------------------------------------------- buttons


async def on_button(update: Update, context: ForumContext) -> None:
    """Every ``ag:*`` button."""
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    if data is None:
        raise StaleButton()
    if data.action in ("days", "all"):
        await query.answer()
        screen = views.agenda_screen(
            context.tr, context.content, context.clock.now(), everything=data.action == "all"
        )
        await render.show(update, context, screen)
        return
    if data.action in ("d", "tf"):
        await _show_day(update, context, data)
        return
    if data.action not in ("open", "star", "unstar", "ics"):
        raise StaleButton()
    session = context.content.session(data.arg(0))
    if session is None:
        await answer_gone(update, context)
        return
    await _session_action(update, context, data.action, session)


async def _show_day(update: Update, context: ForumContext, data: callbacks.Callback) -> None:
    """``ag:d:<day>:<track>:<page>`` a page of the day's list, ``ag:tf:<day>`` its tracks."""
    query = update.callback_query
    assert query is not None
    tr, forum = context.tr, context.content
    picked = views.parse_day(data.arg(0))
    if picked is None or picked not in forum.days():
        raise StaleButton()
    await query.answer()
    if data.action == "tf":
        await render.show(update, context, views.track_picker(tr, forum, picked))
        return
    track = data.arg(1, "-")
    track_id = None if track == "-" or forum.track(track) is None else track
    page = views.day_page(tr, forum, picked, track_id, data.int_arg(2) or 0)
    await render.show(update, context, page)


async def _session_action(
    update: Update, context: ForumContext, action: str, session: Session
) -> None:
    """Open the card, star or unstar the session (then show the card again), or its .ics."""
    query = update.callback_query
    assert query is not None
    tr, stars = context.tr, context.repos.stars
    starred: bool | None = None  # "open" reads it
    if action == "open":
        await query.answer()
    elif action == "star":
        await stars.star(user_id_of(update), session.id, context.clock.now())
        starred = True  # whether or not it already was
        await query.answer(tr._("Added to my agenda: /my"))
    elif action == "unstar":
        await stars.unstar(user_id_of(update), session.id)
        starred = False
        await query.answer(tr._("Removed from my agenda."))
    else:
        await query.answer()
        await send_ics(update, context, [session], calendar.filename(context.content, session))
        return
    await open_session(update, context, session, starred=starred)


async def send_ics(
    update: Update, context: ForumContext, sessions: list[Session], name: str
) -> None:
    """Send sessions as an .ics document."""
    data = calendar.sessions_ics(
        context.content, sessions, context.tr.language, context.clock.now()
    )
    await context.bot.send_document(
        render.chat_id(update),
        InputFile(data, filename=name),
        caption=context.tr._("Open the file to add it to your calendar."),
    )
