"""The broadcast monitor's chat over the Bot: Telegram's errors become its three answers."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.delivery import BotStatusChat
from bot.services.broadcasts import StatusUnavailable
from bot.views import Button


class FakeBot:
    """Answers edits with ``error`` (if any) and records the keyboards it was given."""

    def __init__(self, error: TelegramError | None) -> None:
        self.error = error
        self.markups: list[Any] = []

    async def edit_message_text(self, text: str, **kwargs: Any) -> None:
        if self.error is not None:
            raise self.error
        self.markups.append(kwargs.get("reply_markup"))


async def edit(error: TelegramError | None) -> tuple[bool, FakeBot]:
    bot = FakeBot(error)
    fake: Any = bot  # a Bot with the one method the edit uses
    done = await BotStatusChat(fake).edit(1, 5, "text", [[Button("⏸ Pause", data="bc:pause:1")]])
    return done, bot


async def test_an_edit_shows_the_buttons() -> None:
    done, bot = await edit(None)
    assert done
    assert bot.markups[0].inline_keyboard[0][0].text == "⏸ Pause"


async def test_unchanged_is_done_and_refused_is_not() -> None:
    assert (await edit(BadRequest("Message is not modified: specified new message")))[0]
    assert not (await edit(BadRequest("Message to edit not found")))[0]


async def test_an_unreachable_chat_raises_for_the_next_round() -> None:
    with pytest.raises(StatusUnavailable):
        await edit(NetworkError("connection reset"))
