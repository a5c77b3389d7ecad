"""What the review board's flows return: screens, files and a hint, free of Telegram's API
calls (the handlers in ``handlers/board_render.py`` deliver them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import Translator
from bot.views import layout

if TYPE_CHECKING:
    from bot.context import Services


@dataclass
class Screen:
    """One message: text and an optional inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send."""

    content: bytes
    filename: str
    caption: str


@dataclass
class Outcome:
    """The result of one step: a hint (an alert when ``alert``), an edit, new messages, files."""

    hint: str | None = None
    alert: bool = False
    edit: Screen | None = None
    send: list[Screen] = field(default_factory=list)
    files: list[Document] = field(default_factory=list)


def button(feature: str, text: str, action: str, *args: object) -> InlineKeyboardButton:
    """An inline button whose data is ``feature:action:args``."""
    return InlineKeyboardButton(text, callback_data=callbacks.make(feature, action, *args))


def keyboard(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    """The markup of the non-empty rows, or None.

    A row whose labels would be cut on a phone in this language is split where they do not fit
    (:func:`bot.views.layout`: 18 characters each for two to a row, 12 for three): "🗳 Открыть
    голосование" stands alone while "⬅️" and "➡️" still share a row.
    """
    kept = []
    for row in rows:
        start = 0
        for count in layout([b.text for b in row], len(row)) if row else ():
            kept.append(row[start : start + count])
            start += count
    return InlineKeyboardMarkup(kept) if kept else None


def refused(tr_text: str) -> Outcome:
    """A refusal shown as an alert on a button, or as a reply to a command."""
    return Outcome(hint=tr_text, alert=True)


class BoardFlowBase:
    """What the board's four flows share: the services, the content, the one clock."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.forum = services.content

    @property
    def now(self) -> datetime:
        """The one clock's now."""
        return self.services.clock.now()

    @staticmethod
    def expired(tr: Translator) -> Outcome:
        """The answer to a stale or forged button."""
        return Outcome(tr._("This button has expired. Please open the menu again."), alert=True)
