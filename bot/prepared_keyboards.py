"""Keyboards that are built once and sent many times, serialized once.

PTB turns a keyboard into JSON on every request, walking every button object again. The same
keyboards go to hundreds of people (an agenda page, a session card, the main menu in one
language), so the renderer keeps the keyboards it built (handlers/render.py) and these classes
keep their JSON form with them. Both are ordinary, immutable PTB keyboards otherwise.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, TelegramObject
from telegram._utils.types import JSONDict


class _KeptJson(TelegramObject):
    """Computes the JSON form once, when the object is built, and answers it ever after."""

    __slots__ = ()
    _json: JSONDict

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            self._json = super().to_dict()

    def to_dict(self, recursive: bool = True) -> JSONDict:
        """The JSON form (the kept one; requests only read it)."""
        return self._json if recursive else super().to_dict(recursive=False)


class PreparedInlineKeyboard(_KeptJson, InlineKeyboardMarkup):
    """An inline keyboard whose JSON form is computed once, when it is built."""

    __slots__ = ("_json",)


class PreparedReplyKeyboard(_KeptJson, ReplyKeyboardMarkup):
    """A reply keyboard (the main menu) whose JSON form is computed once, when it is built."""

    __slots__ = ("_json",)
