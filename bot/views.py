"""Neutral view models that flows return and one renderer (handlers/render.py) shows.

Flows in ``bot/services/`` know no Telegram types: they describe a message as a :class:`Screen`
(text, rows of :class:`Button`, and whether it replaces the message the button was on or comes
as a new one), a short notice as :class:`Text`, a file as :class:`Document`, and bundle them in
an :class:`Outcome`. Outbox rows take the Bot API JSON of a keyboard (:func:`keyboard_json`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot import callbacks

# edit: replace the pressed message; send: a new message; buttons: only the pressed message's
# buttons change (the screen's text is not used); append: the screen's text is added to the
# pressed message's text and its buttons go (an answered question shows the answer).
Target = Literal["edit", "send", "buttons", "append"]


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: callback data (built by bot.callbacks) or a URL."""

    text: str
    data: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, str]:
        """The Bot API InlineKeyboardButton object."""
        if self.url is not None:
            return {"text": self.text, "url": self.url}
        return {"text": self.text, "callback_data": self.data or ""}


Rows = list[list[Button]]


def button(feature: str, text: str, action: str, *args: object) -> Button:
    """A callback button ``feature:action:args``."""
    return Button(text, data=callbacks.make(feature, action, *args))


def rows(buttons: Sequence[Button], width: int) -> Rows:
    """Lay buttons out ``width`` to a row."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def keyboard_json(buttons: Rows) -> dict[str, Any] | None:
    """The Bot API InlineKeyboardMarkup object of ``buttons`` (None when there are none)."""
    if not any(buttons):
        return None
    return {"inline_keyboard": [[b.to_json() for b in row] for row in buttons if row]}


@dataclass(frozen=True, slots=True)
class Text:
    """A short notice: the answer to a button press (an alert if ``alert``), else a reply."""

    text: str
    alert: bool = False


@dataclass(slots=True)
class Screen:
    """A message: ``edit`` replaces the message the pressed button is on (else it is sent)."""

    text: str
    buttons: Rows = field(default_factory=list)
    target: Target = "send"
    html: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send: bytes with a file name, or a Telegram file id."""

    file: bytes | str
    filename: str | None = None
    caption: str | None = None


@dataclass(slots=True)
class Outcome:
    """What a flow step shows: a notice, screens in order, then files."""

    hint: Text | None = None
    screens: list[Screen] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    @classmethod
    def edit(cls, text: str, buttons: Rows | None = None, hint: Text | None = None) -> Outcome:
        """One screen replacing the pressed button's message."""
        return cls(hint, [Screen(text, buttons or [], "edit")])

    @classmethod
    def send(cls, text: str, buttons: Rows | None = None, hint: Text | None = None) -> Outcome:
        """One new message."""
        return cls(hint, [Screen(text, buttons or [], "send")])
