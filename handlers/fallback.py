"""The last handlers: anything no feature understood gets a short hint, never silence."""

from __future__ import annotations

from telegram import Update

from bot.context import ForumContext
from bot.errors import StaleButton
from handlers import render


async def unknown_command(update: Update, context: ForumContext) -> None:
    """A command we do not have."""
    await render.reply(
        update, context.tr._("I don't know this command. Here is what I can do: /help")
    )


async def not_understood(update: Update, context: ForumContext) -> None:
    """Text, stickers, photos and the like outside any dialog."""
    await render.reply(
        update,
        context.tr._("Sorry, I didn't understand that. Please use the menu buttons or /help."),
    )


async def expired_button(update: Update, context: ForumContext) -> None:
    """A button no feature claims: old, from a removed feature, or forged."""
    raise StaleButton()
