"""/language: switch the bot's language for this user."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from telegram import Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.labels import LANGUAGE_NAMES
from handlers.keyboards import language_keyboard
from handlers.prelude import remember
from handlers.updates import chat_id_of, message_of

FEATURE = "lang"


async def remember_written(context: ForumContext, user_id: int, **written: Any) -> None:
    """This update's user after a feature wrote ``written`` fields: the prelude's copy with
    those fields, without reading back the row just written (read only if there is none)."""
    known = context.user
    if known is not None and known.id == user_id:
        remember(context, replace(known, **written))
        return
    stored = await context.repos.users.get(user_id)
    if stored is not None:
        remember(context, stored)


async def ask(update: Update, context: ForumContext) -> None:
    """Offer the three languages."""
    await message_of(update).reply_text(
        context.tr._("Choose your language:"),
        reply_markup=language_keyboard(FEATURE, context.tr.language),
    )


async def on_button(update: Update, context: ForumContext) -> None:
    """``lang:lang:<code>``: store the choice and answer in the new language."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = callbacks.parse(query.data)
    code = data.arg(0) if data is not None else ""
    if code not in LANGUAGE_NAMES:
        raise StaleButton()
    user_id = update.effective_user.id
    await context.repos.users.set_language(user_id, code)
    await remember_written(context, user_id, language=code)
    # Two calls, not three: the choice is confirmed in the button's answer, and the new reply
    # keyboard (its labels were in the old language) comes with the one message.
    await query.answer(context.tr._("Language: {language}").format(language=LANGUAGE_NAMES[code]))
    await context.bot.send_message(
        chat_id_of(update),
        context.tr._("Done. The menu is now in your language."),
        reply_markup=context.services.main_menu().keyboard(context.tr, context.is_organizer()),
    )
