"""The Bot the Application uses: PTB's ExtBot, minus parsing what Telegram echoes back.

Telegram answers every send and edit with the whole message it now shows: the text, its
entities, every button of the keyboard. PTB turns that into a ``Message`` object, which under
the benchmark's forum mix was the largest single cost of handling an update (about a fifth of
the process's CPU, benchmarks/README.md). The bot only ever reads the id (and chat) of what it
sent, never Telegram's copy of text it wrote itself, so for sends and edits the answer is cut
to ``message_id``, ``date`` and ``chat`` before PTB parses it. Every other method's answer is
left whole.
"""

from __future__ import annotations

from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.ext import ExtBot

# Methods answered with the Message sent or edited (or True for inline messages).
ECHOING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)
# What the bot reads of a message it sent: which message, in which chat, when.
KEPT_FIELDS = ("message_id", "date", "chat")


class LeanBot(ExtBot[Any]):
    """ExtBot whose sends and edits return a Message with its id, date and chat only."""

    async def _do_post(
        self,
        endpoint: str,
        data: JSONDict,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> bool | JSONDict | list[JSONDict]:
        result = await super()._do_post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if endpoint in ECHOING_METHODS and isinstance(result, dict):
            return {key: result[key] for key in KEPT_FIELDS if key in result}
        return result
