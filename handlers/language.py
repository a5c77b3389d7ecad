"""/language: switch the bot's language for this user."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.labels import LANGUAGE_NAMES
from handlers import render
from handlers.keyboards import language_keyboard
from handlers.prelude import remember

FEATURE = "lang"


async def ask(update: Update, context: ForumContext) -> None:
    """Offer the three languages."""
    await render.reply(
        update,
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
    await context.repos.users.set_language(update.effective_user.id, code)
    stored = await context.repos.users.get(update.effective_user.id)
    if stored is not None:
        remember(context, stored)
    await query.answer()
    await query.edit_message_text(
        context.tr._("Language: {language}").format(language=LANGUAGE_NAMES[code])
    )
    # The reply keyboard carries labels in the old language: send the new one.
    await context.bot.send_message(
        render.chat_id(update),
        context.tr._("Done. The menu is now in your language."),
        reply_markup=context.services.menu.keyboard(context.tr, context.is_organizer()),
    )
