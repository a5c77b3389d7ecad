"""The framework's floor: a bare python-telegram-bot echo bot, driven by the same harness.

It does the least a bot can do for each update of the benchmark's mix: a text or command gets
its text back with one inline button; a button press is answered and its message edited. Same
settings as our bot where they matter for speed (long polling, ``concurrent_updates``), none of
our work (no database, no i18n, no persistence, no rate limiter).

    BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot python -m benchmarks.echo_bot

ECHO_TRANSPORT=aiohttp gives it the same HTTP transport as our bot (bot/http.py), so the two
floors show what the transport buys and what our own work costs on an equal footing.
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("echo", callback_data="echo:again")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back with one button."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(message.text or "?", reply_markup=KEYBOARD)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit its message (what a navigation button does)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"pressed {query.data} {query.id}", reply_markup=KEYBOARD)


def build(
    token: str, base_url: str, concurrent_updates: int, transport: str = "httpx"
) -> Application:
    """The echo Application (PTB's default httpx transport, or ours)."""
    builder = (
        Application.builder().token(token).base_url(base_url).concurrent_updates(concurrent_updates)
    )
    if transport == "aiohttp":
        from bot.http import AiohttpRequest

        builder = builder.request(
            AiohttpRequest(connection_pool_size=concurrent_updates + 8)
        ).get_updates_request(AiohttpRequest(connection_pool_size=2))
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    return application


def main() -> None:
    """Run with long polling until killed."""
    application = build(
        os.environ["BOT_TOKEN"],
        os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        int(os.environ.get("CONCURRENT_UPDATES", "64")),
        os.environ.get("ECHO_TRANSPORT", "httpx"),
    )
    application.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
