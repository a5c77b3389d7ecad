"""The test harness (SandboxUser) against a tiny PTB bot, independent of the product's handlers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox import SandboxServer
from bot.sandbox.harness import SandboxUser, new_user
from tests.sandbox.test_bot_api import png

Context = ContextTypes.DEFAULT_TYPE


async def start(update: Update, context: Context) -> None:
    payload = " ".join(context.args or []) or "none"
    await update.effective_message.reply_html(
        f"<b>Hello</b>, payload {payload}",
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("✓ Yes", callback_data="y"),
                    InlineKeyboardButton("No", callback_data="n"),
                ]
            ]
        ),
    )
    await update.effective_message.reply_text(
        "Menu",
        reply_markup=ReplyKeyboardMarkup(
            [["Help"], [KeyboardButton("Share phone", request_contact=True)]], resize_keyboard=True
        ),
    )


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"You said {query.data}")


async def text(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    if message.contact is not None:
        await message.reply_text(f"Phone {message.contact.phone_number}")
    elif message.document is not None:
        file = await message.document.get_file()
        data = bytes(await file.download_as_bytearray())
        await message.reply_document(data[::-1], filename="reversed.bin", caption="Reversed")
    elif message.photo:
        await message.reply_text(f"Photo {message.photo[-1].width}x{message.photo[-1].height}")
    else:
        await message.reply_text(f"Echo: {message.text}")


@pytest.fixture
async def tiny_bot() -> AsyncIterator[tuple[SandboxServer, Any]]:
    async with SandboxServer() as server:
        application = (
            Application.builder()
            .token(server.world.token)
            .base_url(server.api_base_url)
            .base_file_url(server.file_base_url)
            .build()
        )
        application.add_handler(CommandHandler("start", start))
        application.add_handler(CallbackQueryHandler(button))
        application.add_handler(MessageHandler(filters.ALL, text))
        polls = server.world.poll_count
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=10)
            await server.world.wait_for_poll(polls, 10)
            yield server, application
            await application.updater.stop()
            await application.stop()


@pytest.fixture
def person(tiny_bot: tuple[SandboxServer, Any]) -> SandboxUser:
    return new_user(tiny_bot[0].world, "en", timeout=10)


async def test_a_chat_reads_like_a_chat(person: SandboxUser) -> None:
    await person.command("/start", "ref_42")
    hello = await person.expect("payload ref_42")
    assert hello.html == "<b>Hello</b>, payload ref_42"
    assert hello.buttons == ["✓ Yes", "No"]
    await person.expect("Menu")
    assert person.reply_keyboard == ["Help", "Share phone"]
    await person.press("Yes")  # the only button containing "Yes"
    edited = await person.expect(re.compile(r"You said \w"))
    assert edited.text == "You said y"
    assert edited.edited
    assert edited.buttons == []
    assert (await person.expect_answer())["text"] == "Noted"
    await person.press("Help")  # reply keyboard: sends the text
    await person.expect("Echo: Help")
    await person.press("Share phone")
    await person.expect("Phone +77010000000")
    await person.send("plain words")
    assert (await person.expect()).text == "Echo: plain words"
    assert person.last_message is not None
    assert person.last_message.text == "Echo: plain words"
    assert [m.text for m in person.messages][:2] == ["You said y", "Menu"]
    assert [m.outgoing for m in person.history][:2] == [False, True]


async def test_files_both_ways(person: SandboxUser) -> None:
    await person.send_document(b"abc", "data.bin", caption="here")
    reply = await person.expect("Reversed")
    assert reply.document is not None
    assert reply.document["file_name"] == "reversed.bin"
    assert person.download(reply) == b"cba"
    await person.send_photo(png(6, 5))
    await person.expect("Photo 6x5")


async def test_expect_times_out_with_an_explanation(person: SandboxUser) -> None:
    await person.send("something")
    with pytest.raises(AssertionError, match=r"(?s)no bot message matching 'Goodbye'.*Echo"):
        await person.expect("Goodbye", timeout=0.5)


async def test_pressing_a_missing_button_says_what_is_there(person: SandboxUser) -> None:
    await person.command("/start")
    await person.expect("Menu")
    with pytest.raises(AssertionError, match=r"inline buttons \['✓ Yes', 'No'\]"):
        await person.press("Maybe")


async def test_a_blocked_bot_gets_403(
    tiny_bot: tuple[SandboxServer, Any], person: SandboxUser
) -> None:
    _, application = tiny_bot
    person.block()
    with pytest.raises(Exception, match="blocked"):
        await application.bot.send_message(person.id, "hi")
    person.unblock()
    await application.bot.send_message(person.id, "hi again")
    await person.expect("hi again")
