"""The Bot the Application uses: PTB's ExtBot, minus parsing what Telegram echoes back.

Telegram answers every send and edit with the whole message it now shows: the text, its
entities, every button of the keyboard. PTB turns that into a ``Message`` object, which under
the benchmark's forum mix was the largest single cost of handling an update (about a fifth of
the process's CPU, benchmarks/README.md). The bot only ever reads the id (and chat) of what it
sent, never Telegram's copy of text it wrote itself, so for sends and edits the answer is cut
to ``message_id``, ``date`` and ``chat`` before PTB parses it, and an edit is answered
``True`` (what PTB's edits return for inline messages): the caller knows which message it edited.

The same copy comes back with every button press: a callback query carries the message the
button was on, keyboard and formatting included. The bot reads its id, chat and plain text
(``handlers/render.py``), so the keyboard and the entities of that message are dropped before
PTB parses the update. People's own messages are left whole (commands are found by their
entities). Every other method's answer is left whole too.
"""

from __future__ import annotations

from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.ext import ExtBot

# Methods answered with the Message sent.
SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
# Methods answered with the Message edited (True for inline messages, so callers handle both).
EDITING_METHODS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
# What the bot reads of a message it sent: which message, in which chat, when.
KEPT_FIELDS = ("message_id", "date", "chat")
# What it never reads of its own message that comes back with a button press.
PRESSED_MESSAGE_DROPPED = ("reply_markup", "entities", "caption_entities", "link_preview_options")


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
        if isinstance(result, dict):
            if endpoint in EDITING_METHODS:
                return True  # "edited"; PTB's edits return Message | bool, callers know the id
            if endpoint in SENDING_METHODS:
                return {key: result[key] for key in KEPT_FIELDS if key in result}
        if endpoint == "getUpdates" and isinstance(result, list):
            for update in result:
                _drop_pressed_messages_dressing(update)
        return result


def _drop_pressed_messages_dressing(update: JSONDict) -> None:
    """The keyboard and formatting of the bot's own message a pressed button was on."""
    query = update.get("callback_query")
    message = query.get("message") if isinstance(query, dict) else None
    if isinstance(message, dict):
        for key in PRESSED_MESSAGE_DROPPED:
            message.pop(key, None)
