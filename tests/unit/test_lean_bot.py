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
AIGERIM = {"id": 42, "is_bot": False, "first_name": "Aigerim"}


def bot_api_message(message_id: int, sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A Bot API Message in Aigerim's chat."""
    return {"message_id": message_id, "date": 1_543_291_200, "chat": CHAT, "from": sender, **fields}


FULL_ECHO = bot_api_message(
    77,
    {"id": 1, "is_bot": True, "first_name": "Forum"},
    text="📅 Бағдарлама",
    entities=[{"type": "bold", "offset": 0, "length": 2}],
    reply_markup={"inline_keyboard": [[{"text": "⭐", "callback_data": "ag:star:s1"}]]},
)


class RecordingRequest(BaseRequest):
    """Answers every method with ``result``; keeps the JSON bodies it was given."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []

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
        if endpoint == "getUpdates":
            result = self.updates
        elif endpoint == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Forum", "username": "forum_bot"}
        elif endpoint == "getChat":
            result = {**CHAT, "accent_color_id": 0, "max_reaction_count": 11}
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def started_bot() -> tuple[LeanBot, RecordingRequest]:
    request = RecordingRequest()
    bot = LeanBot("1:secret", request=request, get_updates_request=request)
    await bot.initialize()
    return bot, request


async def test_a_send_returns_which_message_in_which_chat_and_an_edit_that_it_was_made() -> None:
    bot, _ = await started_bot()
    sent = await bot.send_message(42, "📅 Бағдарлама")
    assert isinstance(sent, Message)
    assert (sent.message_id, sent.chat_id, sent.date.year) == (77, 42, 2018)
    # Telegram's copy of the bot's own text is not parsed.
    assert sent.text is None and sent.reply_markup is None
    assert await bot.edit_message_text("x", chat_id=42, message_id=77) is True


async def test_a_pressed_button_brings_its_message_without_keyboard_and_formatting() -> None:
    bot, request = await started_bot()
    request.updates = [
        {
            "update_id": 1,
            "callback_query": {
                "id": "q1",
                "from": AIGERIM,
                "chat_instance": "c",
                "data": "ag:star:s1",
                "message": FULL_ECHO,
            },
        },
        {
            "update_id": 2,
            "message": bot_api_message(
                78,
                AIGERIM,
                text="/agenda",
                entities=[{"type": "bot_command", "offset": 0, "length": 7}],
            ),
        },
    ]
    pressed, typed = await bot.get_updates()
    assert pressed.callback_query is not None
    message = pressed.callback_query.message
    assert isinstance(message, Message)
    assert (message.message_id, message.chat_id, message.text) == (77, 42, "📅 Бағдарлама")
    assert message.reply_markup is None and message.entities == ()
    # A person's own message keeps its entities: that is how commands are found.
    assert typed.message is not None and typed.message.entities[0].type == "bot_command"


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
