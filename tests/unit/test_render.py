"""The one edit-or-send helper: unchanged is fine, a vanished message is sent anew."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from telegram.error import BadRequest

from bot.views import Button, keyboard_json
from handlers import render


class FakeBot:
    """Answers edits with ``error`` (if any) and records what was sent."""

    def __init__(self, error: str | None) -> None:
        self.error = error
        self.edited: list[str] = []
        self.sent: list[str] = []

    async def edit_message_text(self, text: str, **kwargs: Any) -> None:
        if self.error is not None:
            raise BadRequest(self.error)
        self.edited.append(text)

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:
        self.sent.append(text)
        return SimpleNamespace(message_id=99)


async def show(error: str | None) -> tuple[int | None, FakeBot]:
    bot = FakeBot(error)
    context: Any = SimpleNamespace(bot=bot)  # the helper only uses context.bot
    shown = await render.edit_or_send(context, 1, "new text", message_id=5)
    return shown, bot


async def test_edit_in_place() -> None:
    shown, bot = await show(None)
    assert (shown, bot.edited, bot.sent) == (5, ["new text"], [])


async def test_unchanged_message_is_not_an_error() -> None:
    shown, bot = await show("Bad Request: message is not modified: specified new message ...")
    assert (shown, bot.sent) == (5, [])


@pytest.mark.parametrize(
    "error", ["Message to edit not found", "Message can't be edited", "MESSAGE_ID_INVALID"]
)
async def test_vanished_message_is_sent_anew(error: str) -> None:
    shown, bot = await show(error)
    assert (shown, bot.sent) == (99, ["new text"])


async def test_other_errors_are_raised() -> None:
    with pytest.raises(BadRequest):
        await show("Can't parse entities")


def test_view_buttons_become_bot_api_json() -> None:
    rows = [[Button("Open", data="prv:card:1:-,-,-,0"), Button("Site", url="https://a.kz")], []]
    assert keyboard_json(rows) == {
        "inline_keyboard": [
            [
                {"text": "Open", "callback_data": "prv:card:1:-,-,-,0"},
                {"text": "Site", "url": "https://a.kz"},
            ]
        ]
    }
    assert keyboard_json([[]]) is None
    markup = render.markup(rows)
    assert markup is not None and markup.to_dict() == keyboard_json(rows)
