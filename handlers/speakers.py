"""/speakers: a paged list and speaker cards (photo when the content has one), deep links.

Buttons: ``sp:l:<page>`` list page, ``sp:open:<id>`` card.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.content import Speaker
from bot.context import ForumContext
from bot.i18n import N_
from bot.services import agenda as timetable
from bot.services import html_text
from handlers import callbacks
from handlers.agenda import EXPIRED, esc, session_button, show
from handlers.updates import message_of

FEATURE = "sp"
PER_PAGE = 8
CAPTION_LIMIT = 1024
CARD_LIMIT = 4000
GONE_SPEAKER = N_("This speaker is no longer in the programme.")


def list_page(context: ForumContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """One page of speakers: name and position, a button each."""
    tr, speakers = context.tr, context.content.speakers
    lang = tr.language
    pages = max(1, -(-len(speakers) // PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = speakers[page * PER_PAGE : (page + 1) * PER_PAGE]
    lines = [tr._("🎤 <b>Speakers</b>")]
    if pages > 1:
        lines[0] += " " + tr._("(page {page} of {pages})").format(page=page + 1, pages=pages)
    if not speakers:
        lines.append(tr._("The speakers have not been announced yet."))
    for speaker in shown:
        lines.append(
            f"\n<b>{esc(speaker.name.get(lang))}</b>\n"
            f"{esc(timetable.shorten(speaker.position.get(lang), 200))}"
        )
    keyboard = [
        [
            InlineKeyboardButton(
                timetable.shorten(s.name.get(lang), 40),
                callback_data=callbacks.make(FEATURE, "open", s.id),
            )
        ]
        for s in shown
    ]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=callbacks.make(FEATURE, "l", page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("▶", callback_data=callbacks.make(FEATURE, "l", page + 1)))
    if nav:
        keyboard.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def card(context: ForumContext, speaker: Speaker, limit: int) -> tuple[str, InlineKeyboardMarkup]:
    """Name, position, bio (shortened to fit ``limit``), sessions as buttons, links."""
    tr, lang = context.tr, context.tr.language
    head = f"<b>{esc(speaker.name.get(lang))}</b>\n<i>{esc(speaker.position.get(lang))}</i>"
    sessions = context.content.sessions_of_speaker(speaker.id)
    tail = "\n\n" + tr._("Sessions:") if sessions else ""
    room = limit - len(head) - len(tail) - 2
    # The plain bio is cut to the room left, and escaped after.
    bio = html_text.shorten_escaped(" ".join(speaker.bio.get(lang).split()), max(room, 0))
    text = f"{head}\n\n{bio}{tail}" if bio else head + tail
    keyboard = [[session_button(tr, s)] for s in sessions]
    keyboard += [
        [InlineKeyboardButton(link.title.get(lang), url=link.url)]
        for link in speaker.links
        if link.url.startswith("http")
    ]
    keyboard.append(
        [
            InlineKeyboardButton(
                tr._("◀ All speakers"), callback_data=callbacks.make(FEATURE, "l", 0)
            )
        ]
    )
    return html_text.truncate(text, limit), InlineKeyboardMarkup(keyboard)


async def show_speaker(update: Update, context: ForumContext, speaker: Speaker) -> None:
    """The card: a photo with a caption when there is a photo, else a text (edited in place)."""
    chat = update.effective_chat
    assert chat is not None
    if speaker.photo is None or not speaker.photo.is_file():
        text, markup = card(context, speaker, CARD_LIMIT)
        await show(update, context, text, markup)
        return
    caption, markup = card(context, speaker, CAPTION_LIMIT)
    cache = context.services.speaker_photo_ids
    key = f"{speaker.photo}:{speaker.photo.stat().st_mtime_ns}"
    photo = cache.get(key) or speaker.photo.read_bytes()
    sent = await context.bot.send_photo(
        chat.id, photo, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    if sent.photo:
        cache[key] = sent.photo[-1].file_id


async def show_list(update: Update, context: ForumContext) -> None:
    """/speakers and the menu button."""
    text, markup = list_page(context, 0)
    await show(update, context, text, markup)


async def open_speaker_link(update: Update, context: ForumContext, rest: str) -> None:
    """``/start speaker_<id>``."""
    speaker = context.content.speaker(rest)
    if speaker is None:
        await message_of(update).reply_text(context.tr._(GONE_SPEAKER))
        return
    await show_speaker(update, context, speaker)


async def on_button(update: Update, context: ForumContext) -> None:
    """``sp:l:<page>`` and ``sp:open:<id>``."""
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    tr = context.tr
    if data is not None and data.action == "l" and data.int_arg(0) is not None:
        await query.answer()
        text, markup = list_page(context, data.int_arg(0) or 0)
        await show(update, context, text, markup)
        return
    if data is not None and data.action == "open":
        speaker = context.content.speaker(data.arg(0))
        if speaker is None:
            await query.answer(tr._(GONE_SPEAKER), show_alert=True)
            return
        await query.answer()
        await show_speaker(update, context, speaker)
        return
    await query.answer(tr._(EXPIRED), show_alert=True)
