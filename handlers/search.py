"""Plain text outside any dialog: search sessions and speakers in all three languages."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.context import ForumContext
from bot.services import agenda as timetable
from handlers import callbacks
from handlers.agenda import esc, session_button

MAX_RESULTS = 20


async def on_text(update: Update, context: ForumContext) -> None:
    """Search the text; results as buttons, or a helpful answer when nothing matches."""
    message = update.effective_message
    if message is None or not message.text:
        return
    tr, forum = context.tr, context.content
    query = message.text.strip()
    shown = esc(timetable.shorten(query, 60))
    index = context.services.search.index(forum)
    hits = index.search(query, MAX_RESULTS)
    if not hits:
        if len(timetable.fold(query)) < timetable.MIN_QUERY:
            text = tr._(
                "Type at least two letters of a session title or a speaker's name to search, "
                "or use the menu below and /help."
            )
        else:
            text = tr._(
                "Nothing found for “{query}”.\n\nTry one word from a session title or a "
                "speaker's surname (in any language), or browse the /agenda and /speakers."
            ).format(query=shown)
        await message.reply_text(text, parse_mode=ParseMode.HTML)
        return
    keyboard = []
    for hit in hits:
        if hit.kind == "session":
            session = forum.session(hit.id)
            if session is not None:
                keyboard.append([session_button(tr, session)])
        else:
            speaker = forum.speaker(hit.id)
            if speaker is not None:
                keyboard.append(
                    [
                        InlineKeyboardButton(
                            "🎤 " + timetable.shorten(speaker.name.get(tr.language), 40),
                            callback_data=callbacks.make("sp", "open", speaker.id),
                        )
                    ]
                )
    text = tr.ngettext(
        "🔎 {n} result for “{query}”:", "🔎 {n} results for “{query}”:", len(keyboard)
    ).format(n=len(keyboard), query=shown)
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup(keyboard)
    )
