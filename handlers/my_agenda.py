"""/my: the sessions a person starred, in time order, clashes flagged; one .ics for all.

Buttons: ``my:ics`` the calendar file, ``my:p:<page>`` a page; each session opens its card
(``ag:open:<id>``); "⏰ Reminders" is the delivery feature's ``rem:menu``.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.content import Session
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.services import agenda as timetable
from bot.services import calendar
from handlers.agenda import PAGE_LIMIT, esc, send_ics, session_button, show

FEATURE = "my"


async def starred_sessions(context: ForumContext, user_id: int) -> list[Session]:
    """The person's starred sessions that the programme still has, by start time."""
    forum = context.content
    found = [forum.session(i) for i in await context.repos.stars.sessions_of(user_id)]
    return sorted((s for s in found if s is not None), key=lambda s: (s.starts, s.ends, s.id))


def my_page(
    context: ForumContext, sessions: list[Session], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The list (a page of it), clashes marked, with the .ics and reminders buttons."""
    tr, lang = context.tr, context.tr.language
    keyboard: list[list[InlineKeyboardButton]] = []
    reminders = InlineKeyboardButton(
        tr._("⏰ Reminders"), callback_data=callbacks.make("rem", "menu")
    )
    if not sessions:
        text = tr._(
            "⭐ Your agenda is empty.\n\nOpen /agenda, tap a session and then "
            "“⭐ Add to my agenda”. You will find it here, with reminders before it starts."
        )
        keyboard.append(
            [InlineKeyboardButton(tr._("📅 Agenda"), callback_data=callbacks.make("ag", "all"))]
        )
        keyboard.append([reminders])
        return text, InlineKeyboardMarkup(keyboard)
    overlaps = timetable.clashes(sessions)
    multi_day = len({s.day for s in sessions}) > 1
    blocks = []
    for session in sessions:
        when = tr.time_range(session.starts, session.ends)
        if multi_day:
            when = f"{tr.day(session.starts)}, {when}"
        block = (
            f"<b>{esc(when)}</b>\n{esc(session.title.get(lang))}"
            f" — <i>{esc(session.room.get(lang))}</i>"
        )
        others = overlaps.get(session.id) or []
        if others:
            block += "\n" + tr._("⚠️ Clashes with: {titles}").format(
                titles=esc("; ".join(timetable.shorten(o.title.get(lang), 60) for o in others))
            )
        blocks.append(block)
    pages = timetable.pack_pages(blocks, PAGE_LIMIT - 300)
    page = min(max(page, 0), len(pages) - 1)
    count = len(sessions)
    header = tr.ngettext(
        "⭐ <b>My agenda</b>: {n} session", "⭐ <b>My agenda</b>: {n} sessions", count
    ).format(n=count)
    clashing = sum(1 for s in sessions if overlaps.get(s.id))
    if clashing:
        header += "\n" + tr._("Some sessions overlap: you will have to choose.")
    if len(pages) > 1:
        header += "\n" + tr._("Page {page} of {pages}").format(page=page + 1, pages=len(pages))
    text = header + "\n\n" + "\n\n".join(blocks[i] for i in pages[page])
    keyboard += [[session_button(tr, sessions[i])] for i in pages[page]]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                tr._("◀ Earlier"), callback_data=callbacks.make(FEATURE, "p", page - 1)
            )
        )
    if page < len(pages) - 1:
        nav.append(
            InlineKeyboardButton(
                tr._("Later ▶"), callback_data=callbacks.make(FEATURE, "p", page + 1)
            )
        )
    if nav:
        keyboard.append(nav)
    keyboard.append(
        [
            InlineKeyboardButton(
                tr._("📅 All to calendar (.ics)"), callback_data=callbacks.make(FEATURE, "ics")
            ),
            reminders,
        ]
    )
    return text, InlineKeyboardMarkup(keyboard)


async def show_my(update: Update, context: ForumContext) -> None:
    """/my and the menu button."""
    user = update.effective_user
    assert user is not None
    text, markup = my_page(context, await starred_sessions(context, user.id), 0)
    await show(update, context, text, markup)


async def on_button(update: Update, context: ForumContext) -> None:
    """``my:ics`` and ``my:p:<page>``."""
    query = update.callback_query
    assert query is not None
    assert update.effective_user is not None
    data = callbacks.parse(query.data)
    tr = context.tr
    sessions = await starred_sessions(context, update.effective_user.id)
    if data is not None and data.action == "ics":
        if not sessions:
            await query.answer(tr._("Your agenda is empty."), show_alert=True)
            return
        await query.answer()
        await send_ics(update, context, sessions, calendar.filename(context.content))
        return
    if data is not None and data.action == "p" and data.int_arg(0) is not None:
        await query.answer()
        text, markup = my_page(context, sessions, data.int_arg(0) or 0)
        await show(update, context, text, markup)
        return
    raise StaleButton()
