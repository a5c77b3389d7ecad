"""What the lean update path leaves out must not change what is sent or what callers read."""

from __future__ import annotations

import json
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from bot.lean_bot import LeanBot
from bot.prepared_keyboards import PreparedInlineKeyboard, PreparedReplyKeyboard
from bot.views import Button
from handlers import render

CHAT = {"id": 42, "type": "private", "first_name": "Aigerim"}
FULL_ECHO = {
    "message_id": 77,
    "date": 1_543_291_200,
    "chat": CHAT,
    "from": {"id": 1, "is_bot": True, "first_name": "Forum"},
    "text": "📅 Бағдарлама",
    "entities": [{"type": "bold", "offset": 0, "length": 2}],
    "reply_markup": {"inline_keyboard": [[{"text": "⭐", "callback_data": "ag:star:s1"}]]},
}


class RecordingRequest(BaseRequest):
    """Answers every method with ``result``; keeps the JSON bodies it was given."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, dict[str, Any]]] = []

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        body = json.loads(request_data.json_payload) if request_data is not None else {}
        self.bodies.append((endpoint, body))
        result: Any = FULL_ECHO
        if endpoint == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Forum", "username": "forum_bot"}
        elif endpoint == "getChat":
            result = {**CHAT, "accent_color_id": 0, "max_reaction_count": 11}
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def started_bot() -> tuple[LeanBot, RecordingRequest]:
    request = RecordingRequest()
    bot = LeanBot("1:secret", request=request, get_updates_request=RecordingRequest())
    await bot.initialize()
    return bot, request


async def test_a_send_or_edit_returns_which_message_in_which_chat() -> None:
    bot, _ = await started_bot()
    sent = await bot.send_message(42, "📅 Бағдарлама")
    edited = await bot.edit_message_text("x", chat_id=42, message_id=77)
    for message in (sent, edited):
        assert isinstance(message, Message)
        assert (message.message_id, message.chat_id) == (77, 42)
        assert message.date.year == 2018
        # Telegram's copy of the bot's own text is not parsed.
        assert message.text is None and message.reply_markup is None


async def test_other_methods_are_answered_whole() -> None:
    bot, _ = await started_bot()
    chat = await bot.get_chat(42)
    assert chat.first_name == "Aigerim" and chat.max_reaction_count == 11


async def test_a_prepared_keyboard_sends_the_same_json_as_a_plain_one() -> None:
    bot, request = await started_bot()
    buttons = [[InlineKeyboardButton("⭐ Жұлдызша", callback_data="ag:star:s1")]]
    await bot.send_message(42, "a", reply_markup=InlineKeyboardMarkup(buttons))
    await bot.send_message(42, "a", reply_markup=PreparedInlineKeyboard(buttons))
    menu = [["📅 Күн тәртібі", "⏱ Қазір"]]
    await bot.send_message(42, "a", reply_markup=ReplyKeyboardMarkup(menu, resize_keyboard=True))
    await bot.send_message(42, "a", reply_markup=PreparedReplyKeyboard(menu, resize_keyboard=True))
    plain, prepared, plain_menu, prepared_menu = (body for _, body in request.bodies[-4:])
    assert plain == prepared and plain_menu == prepared_menu
    assert json.loads(prepared["reply_markup"]) == {
        "inline_keyboard": [[{"text": "⭐ Жұлдызша", "callback_data": "ag:star:s1"}]]
    }
    # Still an ordinary keyboard for anyone who reads it.
    assert PreparedInlineKeyboard(buttons) == InlineKeyboardMarkup(buttons)


def test_the_renderer_builds_each_distinct_keyboard_once() -> None:
    rows = [[Button("⭐", "ag:star:s1"), Button("↩", "ag:d:0")]]
    first = render.markup(rows)
    assert first is render.markup([[Button("⭐", "ag:star:s1"), Button("↩", "ag:d:0")]])
    other = render.markup([[Button("☆", "ag:star:s1"), Button("↩", "ag:d:0")]])
    assert other is not first and other is not None
    assert other.to_dict()["inline_keyboard"][0][0]["text"] == "☆"
    assert render.markup([]) is None and render.markup([[]]) is None
