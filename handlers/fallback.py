"""The last handlers: anything no feature understood gets a short hint, never silence."""

from __future__ import annotations

from telegram import Update

from bot.context import ForumContext
from handlers.updates import message_of


async def unknown_command(update: Update, context: ForumContext) -> None:
    """A command we do not have."""
    await message_of(update).reply_text(
        context.tr._("I don't know this command. Here is what I can do: /help")
    )


async def not_understood(update: Update, context: ForumContext) -> None:
    """Text, stickers, photos and the like outside any dialog."""
    await message_of(update).reply_text(
        context.tr._("Sorry, I didn't understand that. Please use the menu buttons or /help.")
    )


async def expired_button(update: Update, context: ForumContext) -> None:
    """A button no feature claims: old, from a removed feature, or forged."""
    query = update.callback_query
    if query is not None:
        await query.answer(
            context.tr._("This button has expired. Please open the menu again."), show_alert=True
        )
