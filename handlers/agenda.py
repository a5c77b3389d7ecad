"""/agenda (days, time slots, track filter, pages), session cards, /now and session deep links.

Buttons (``ag:*``, at most 64 bytes; session ids have at most 32 characters):
``ag:days`` day picker, ``ag:d:<yyyymmdd>:<track|->:<page>`` a day's list, ``ag:tf:<yyyymmdd>``
track filter, ``ag:open:<id>`` card, ``ag:star:<id>`` / ``ag:unstar:<id>``, ``ag:ics:<id>``.
A button pointing at a session a reload removed answers "no longer in the programme".
"""

from __future__ import annotations

import html
import logging
from datetime import date, datetime
from urllib.parse import quote

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)

from bot import callbacks
from bot.content import Forum, Session
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.i18n import N_, Translator
from bot.services import agenda as timetable
from bot.services import calendar, html_text, qr
from bot.services.ratings import can_rate
from handlers import qa, render
from handlers.keyboards import rows
from handlers.updates import message_of

log = logging.getLogger(__name__)

FEATURE = "ag"
PAGE_LIMIT = 3500  # characters of a list page (Telegram allows 4096)
CARD_LIMIT = 4000
BUTTON_TITLE = 40  # characters of a session title on a button
NOT_LISTED_KINDS = frozenset({"break"})  # shown in lists, without a button

KIND_LABELS: dict[str, str] = {
    "registration": N_("Registration"),
    "plenary": N_("Plenary session"),
    "panel": N_("Panel discussion"),
    "workshop": N_("Workshop"),
    "break": N_("Break"),
    "networking": N_("Networking"),
}
GONE_SESSION = N_("This session is no longer in the programme.")


# ----------------------------------------------------------------------------- helpers


def esc(text: str) -> str:
    """HTML-escape content text."""
    return html.escape(text, quote=False)


def day_code(day: date) -> str:
    """``20181114``."""
    return day.strftime("%Y%m%d")


def parse_day(code: str) -> date | None:
    """The date of a ``yyyymmdd`` code, or None."""
    try:
        return datetime.strptime(code, "%Y%m%d").date()
    except ValueError:
        return None


def session_button(
    tr: Translator, session: Session, *, with_time: bool = True
) -> InlineKeyboardButton:
    """A button opening the session's card: "10:00 · Title"."""
    title = timetable.shorten(session.title.get(tr.language), BUTTON_TITLE)
    label = f"{tr.time(session.starts)} · {title}" if with_time else title
    return InlineKeyboardButton(label, callback_data=callbacks.make(FEATURE, "open", session.id))


async def show(
    update: Update, context: ForumContext, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit the pressed message in place (text messages), else send a new message (HTML)."""
    chat = update.effective_chat
    assert chat is not None
    await render.edit_or_send(
        context,
        chat.id,
        text,
        markup,
        message_id=render.pressed_message_id(update.callback_query),
        html=True,
    )


async def answer_gone(update: Update, context: ForumContext) -> None:
    """The polite answer to a button of a session a reload removed."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.tr._(GONE_SESSION), show_alert=True)


def deep_link(context: ForumContext, kind: str, item_id: str) -> str | None:
    """``https://t.me/<bot>?start=<kind>_<id>`` (None if the bot's username is unknown)."""
    username = context.bot.username if context.bot is not None else None
    return qr.deep_link(username, kind, item_id) if username else None


# ----------------------------------------------------------------------------- day list


def day_picker(tr: Translator, forum: Forum, today: date) -> tuple[str, InlineKeyboardMarkup]:
    """A button per forum day (today marked)."""
    buttons = [
        [
            InlineKeyboardButton(
                ("📍 " if day == today else "") + tr.day(day),
                callback_data=callbacks.make(FEATURE, "d", day_code(day), "-", 0),
            )
        ]
        for day in forum.days()
    ]
    text = tr._("📅 <b>{forum}</b>\nChoose a day:").format(
        forum=esc(forum.forum.name.get(tr.language))
    )
    return text, InlineKeyboardMarkup(buttons)


def _slot_block(tr: Translator, slot: timetable.Slot) -> str:
    lang = tr.language
    lines = [f"<b>{tr.time_range(slot.starts, slot.ends)}</b>"]
    for session in slot.sessions:
        marker = "☕" if session.kind in NOT_LISTED_KINDS else "•"
        times = ""
        if session.ends != slot.ends:
            times = f" ({tr.time_range(session.starts, session.ends)})"
        lines.append(
            f"{marker} {esc(timetable.shorten(session.title.get(lang), 300))}{times}"
            f" — <i>{esc(session.room.get(lang))}</i>"
        )
    return "\n".join(lines)


def day_page(
    tr: Translator, forum: Forum, day: date, track: str | None, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of a day's programme, slots kept whole, under Telegram's 4096 characters."""
    lang = tr.language
    slots = timetable.day_slots(forum, day, track)
    blocks = [_slot_block(tr, slot) for slot in slots]
    pages = timetable.pack_pages(blocks, PAGE_LIMIT)
    page = min(max(page, 0), len(pages) - 1)
    header = tr._("📅 <b>{day}</b>").format(day=esc(tr.day(day)))
    track_item = forum.track(track) if track else None
    if track_item is not None:
        header += "\n" + tr._("Track: {track}").format(track=esc(track_item.title.get(lang)))
    if len(pages) > 1:
        header += "\n" + tr._("Page {page} of {pages}").format(page=page + 1, pages=len(pages))
    shown = [slots[i] for i in pages[page]]
    if not shown:
        body = tr._("No sessions on this day.")
    else:
        body = "\n\n".join(blocks[i] for i in pages[page])
        if len(body) > PAGE_LIMIT:  # one enormous slot
            body = html_text.truncate(body, PAGE_LIMIT)
    keyboard: list[list[InlineKeyboardButton]] = []
    for slot in shown:
        for session in slot.sessions:
            if session.kind not in NOT_LISTED_KINDS:
                keyboard.append([session_button(tr, session)])
    track_arg = track or "-"
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                tr._("◀ Earlier"),
                callback_data=callbacks.make(FEATURE, "d", day_code(day), track_arg, page - 1),
            )
        )
    if page < len(pages) - 1:
        nav.append(
            InlineKeyboardButton(
                tr._("Later ▶"),
                callback_data=callbacks.make(FEATURE, "d", day_code(day), track_arg, page + 1),
            )
        )
    if nav:
        keyboard.append(nav)
    tools = []
    if timetable.tracks_on(forum, day):
        if track_item is not None:
            tools.append(
                InlineKeyboardButton(
                    tr._("✖ All tracks"),
                    callback_data=callbacks.make(FEATURE, "d", day_code(day), "-", 0),
                )
            )
        else:
            tools.append(
                InlineKeyboardButton(
                    tr._("🏷 Filter by track"),
                    callback_data=callbacks.make(FEATURE, "tf", day_code(day)),
                )
            )
    if len(forum.days()) > 1:
        tools.append(
            InlineKeyboardButton(
                tr._("📆 Other days"), callback_data=callbacks.make(FEATURE, "days")
            )
        )
    if tools:
        keyboard.append(tools)
    return f"{header}\n\n{body}", InlineKeyboardMarkup(keyboard)


def track_picker(tr: Translator, forum: Forum, day: date) -> tuple[str, InlineKeyboardMarkup]:
    """The tracks of the day, and "All tracks"."""
    tracks = [track for t in timetable.tracks_on(forum, day) if (track := forum.track(t))]
    keyboard = [
        [
            InlineKeyboardButton(
                track.title.get(tr.language),
                callback_data=callbacks.make(FEATURE, "d", day_code(day), track.id, 0),
            )
        ]
        for track in tracks
    ]
    keyboard.append(
        [
            InlineKeyboardButton(
                tr._("All tracks"),
                callback_data=callbacks.make(FEATURE, "d", day_code(day), "-", 0),
            )
        ]
    )
    text = tr._("📅 <b>{day}</b>\nChoose a track:").format(day=esc(tr.day(day)))
    return text, InlineKeyboardMarkup(keyboard)


def current_day(forum: Forum, now: datetime) -> date:
    """Today if it is a forum day, else the first day."""
    today = now.astimezone(forum.forum.tz).date()
    days = forum.days()
    return today if today in days else days[0]


async def show_agenda(update: Update, context: ForumContext) -> None:
    """/agenda and the menu button: a day picker for a multi-day forum, else the day's list."""
    forum, tr = context.content, context.tr
    days = forum.days()
    if len(days) > 1:
        text, markup = day_picker(tr, forum, context.clock.now().astimezone(forum.forum.tz).date())
    else:
        text, markup = day_page(tr, forum, days[0], None, 0)
    await show(update, context, text, markup)


# ----------------------------------------------------------------------------- session card


def _page_of(tr: Translator, forum: Forum, session: Session) -> int:
    slots = timetable.day_slots(forum, session.day)
    blocks = [_slot_block(tr, slot) for slot in slots]
    for number, page in enumerate(timetable.pack_pages(blocks, PAGE_LIMIT)):
        if any(session in slots[i].sessions for i in page):
            return number
    return 0


def session_card(
    context: ForumContext, session: Session, starred: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The card: time, weekday, room, track, kind, description, speakers; actions."""
    tr, forum, lang = context.tr, context.content, context.tr.language
    lines = [f"<b>{esc(session.title.get(lang))}</b>", ""]
    lines.append(f"🗓 {esc(tr.day(session.starts))}, {tr.time_range(session.starts, session.ends)}")
    lines.append(f"📍 {esc(session.room.get(lang))}")
    track = forum.track(session.track) if session.track else None
    if track is not None:
        lines.append(f"🏷 {esc(track.title.get(lang))}")
    lines.append(f"🔹 {esc(tr._(KIND_LABELS[session.kind]))}")
    if starred:
        lines.append(tr._("⭐ In my agenda"))
    for label, ids in ((N_("Moderator"), session.moderators), (N_("Speakers"), session.speakers)):
        people = [p for p in (forum.speaker(i) for i in ids) if p is not None]
        if people:
            names = ", ".join(esc(p.name.get(lang)) for p in people)
            lines.append(f"\n<b>{esc(tr._(label))}:</b> {names}")
    link = deep_link(context, "session", session.id)
    share = "\n\n" + tr._("Link to share: {link}").format(link=link) if link else ""
    if session.description is not None:
        # The plain description is cut to the room left, and escaped after.
        room = CARD_LIMIT - len(share) - len("\n".join(lines)) - 2
        lines.append("\n" + html_text.shorten_escaped(session.description.get(lang), room))
    text = html_text.truncate("\n".join(lines), CARD_LIMIT - len(share)) + share
    text = html_text.truncate(text, CARD_LIMIT)

    keyboard: list[list[InlineKeyboardButton]] = []
    people = [p for p in (forum.speaker(i) for i in session.people) if p is not None]
    speaker_buttons = [
        InlineKeyboardButton(
            "🎤 " + timetable.shorten(p.name.get(lang), 30),
            callback_data=callbacks.make("sp", "open", p.id),
        )
        for p in people
    ]
    keyboard += rows(speaker_buttons, 2)  # a long name or role stands alone
    star = (
        InlineKeyboardButton(
            tr._("✖ Remove from my agenda"),
            callback_data=callbacks.make(FEATURE, "unstar", session.id),
        )
        if starred
        else InlineKeyboardButton(
            tr._("⭐ Add to my agenda"), callback_data=callbacks.make(FEATURE, "star", session.id)
        )
    )
    keyboard.append([star])
    actions = [
        InlineKeyboardButton(
            tr._("📅 To calendar"), callback_data=callbacks.make(FEATURE, "ics", session.id)
        )
    ]
    if link:
        title = quote(session.title.get(lang)[:200], safe="")
        share_url = f"https://t.me/share/url?url={quote(link, safe='')}&text={title}"
        actions.append(InlineKeyboardButton(tr._("🔗 Share"), url=share_url))
    keyboard.append(actions)
    if session.kind not in NOT_LISTED_KINDS and can_rate(session, context.clock.now()):
        keyboard.append(
            [
                InlineKeyboardButton(
                    tr._("⭐ Rate this session"),
                    callback_data=callbacks.make("rate", "open", session.id),
                )
            ]
        )
    if qa_buttons := qa.session_buttons(context, session.id):
        keyboard.append(qa_buttons)
    keyboard.append(
        [
            InlineKeyboardButton(
                tr._("◀ Agenda"),
                callback_data=callbacks.make(
                    FEATURE, "d", day_code(session.day), "-", _page_of(tr, forum, session)
                ),
            )
        ]
    )
    return text, InlineKeyboardMarkup(keyboard)


async def open_session(update: Update, context: ForumContext, session: Session) -> None:
    """Show the card (in place after a button, else as a new message)."""
    user = update.effective_user
    starred = user is not None and await context.repos.stars.is_starred(user.id, session.id)
    text, markup = session_card(context, session, starred)
    await show(update, context, text, markup)


async def open_session_link(update: Update, context: ForumContext, rest: str) -> None:
    """``/start session_<id>``."""
    session = context.content.session(rest)
    if session is None:
        await message_of(update).reply_text(context.tr._(GONE_SESSION))
        return
    await open_session(update, context, session)


# ----------------------------------------------------------------------------- /now


def now_text(tr: Translator, forum: Forum, moment: datetime) -> tuple[str, list[Session]]:
    """/now's text and the sessions it mentions (for buttons)."""
    lang = tr.language
    info = timetable.now_next(forum, moment)
    mentioned: list[Session] = []
    meta = forum.forum
    if info.state == "empty":
        return tr._("The programme has not been published yet."), []
    if info.state == "after":
        return tr._(
            "The forum is over. Thank you for taking part! Surveys may still be open: /surveys"
        ), []
    if info.state == "before":
        first = info.first
        assert first is not None
        text = tr._(
            "The forum has not started yet. It opens {relative}: {day}, {time}, {venue}."
        ).format(
            relative=tr.relative(first.starts - moment),
            day=esc(tr.day(first.starts, capital=False)),
            time=tr.time(first.starts),
            venue=esc(meta.venue.get(lang)),
        )
        text += "\n\n" + tr._("First: <b>{title}</b> — {room}").format(
            title=esc(first.title.get(lang)), room=esc(first.room.get(lang))
        )
        return text, [first]
    header = tr._("⏱ <b>Now, {time}</b>").format(time=tr.time(moment))
    if info.state == "break" and info.break_until is not None:
        header += "\n" + tr._("☕ Break until {time}.").format(time=tr.time(info.break_until))
    elif info.state == "between":
        header += "\n" + tr._("Nothing is on right now.")
    blocks = [header]
    for room in info.rooms:
        lines = [f"📍 <b>{esc(room.room.get(lang))}</b>"]
        if room.current is not None:
            lines.append(
                tr._("▶ {title} — started {relative}, until {time}").format(
                    title=esc(room.current.title.get(lang)),
                    relative=tr.relative(room.current.starts - moment),
                    time=tr.time(room.current.ends),
                )
            )
            mentioned.append(room.current)
        if room.next is not None:
            lines.append(
                tr._("⏭ {time} {title} — {relative}").format(
                    time=tr.time(room.next.starts),
                    title=esc(room.next.title.get(lang)),
                    relative=tr.relative(room.next.starts - moment),
                )
            )
            mentioned.append(room.next)
        blocks.append("\n".join(lines))
    if not info.rooms and info.upcoming:
        first = info.upcoming[0]
        blocks.append(
            tr._("Next: {day}, {time}").format(
                day=esc(tr.day(first.starts, capital=False)), time=tr.time(first.starts)
            )
            + " — "
            + tr.relative(first.starts - moment)
        )
        for session in info.upcoming:
            blocks.append(
                f"• {esc(session.title.get(lang))} — <i>{esc(session.room.get(lang))}</i>"
            )
            mentioned.append(session)
    text = "\n\n".join(blocks)
    return html_text.truncate(text, CARD_LIMIT), mentioned


async def show_now(update: Update, context: ForumContext) -> None:
    """/now and the menu button."""
    tr = context.tr
    text, sessions = now_text(tr, context.content, context.clock.now())
    seen: set[str] = set()
    keyboard = []
    for session in sessions:
        if session.id not in seen and session.kind not in NOT_LISTED_KINDS:
            seen.add(session.id)
            keyboard.append([session_button(tr, session)])
            if session.is_running(context.clock.now()):
                keyboard.append(qa.session_buttons(context, session.id))
    keyboard.append(
        [InlineKeyboardButton(tr._("📅 Full agenda"), callback_data=callbacks.make(FEATURE, "all"))]
    )
    await show(update, context, text, InlineKeyboardMarkup(keyboard))


# ----------------------------------------------------------------------------- buttons


async def on_button(update: Update, context: ForumContext) -> None:
    """Every ``ag:*`` button."""
    query = update.callback_query
    assert query is not None
    assert update.effective_user is not None
    data = callbacks.parse(query.data)
    tr, forum = context.tr, context.content
    user_id = update.effective_user.id
    if data is None:
        raise StaleButton()
    if data.action in ("days", "all"):
        await query.answer()
        if data.action == "all" or len(forum.days()) == 1:
            day = current_day(forum, context.clock.now())
            text, markup = day_page(tr, forum, day, None, 0)
        else:
            text, markup = day_picker(
                tr, forum, context.clock.now().astimezone(forum.forum.tz).date()
            )
        await show(update, context, text, markup)
        return
    if data.action in ("d", "tf"):
        picked = parse_day(data.arg(0))
        if picked is None or picked not in forum.days():
            raise StaleButton()
        await query.answer()
        if data.action == "tf":
            text, markup = track_picker(tr, forum, picked)
        else:
            track = data.arg(1, "-")
            track_id = None if track == "-" or forum.track(track) is None else track
            text, markup = day_page(tr, forum, picked, track_id, data.int_arg(2) or 0)
        await show(update, context, text, markup)
        return
    if data.action not in ("open", "star", "unstar", "ics"):
        raise StaleButton()
    session = forum.session(data.arg(0))
    if session is None:
        await answer_gone(update, context)
        return
    stars = context.repos.stars
    if data.action == "open":
        await query.answer()
        await open_session(update, context, session)
    elif data.action == "star":
        await stars.star(user_id, session.id, context.clock.now())
        await query.answer(tr._("Added to my agenda: /my"))
        await open_session(update, context, session)
    elif data.action == "unstar":
        await stars.unstar(user_id, session.id)
        await query.answer(tr._("Removed from my agenda."))
        await open_session(update, context, session)
    else:
        await query.answer()
        await send_ics(update, context, [session], calendar.filename(forum, session))


async def send_ics(
    update: Update, context: ForumContext, sessions: list[Session], name: str
) -> None:
    """Send sessions as an .ics document."""
    chat = update.effective_chat
    assert chat is not None
    data = calendar.sessions_ics(
        context.content, sessions, context.tr.language, context.clock.now()
    )
    await context.bot.send_document(
        chat.id,
        InputFile(data, filename=name),
        caption=context.tr._("Open the file to add it to your calendar."),
    )
