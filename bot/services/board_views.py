"""What the review board's four flows share: the services, the content, the one clock, and the
neutral view models (bot/views.py) their steps return; handlers/render.py shows them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.views import Button, Document, Outcome, Rows, Screen, button, layout

if TYPE_CHECKING:
    from bot.context import Services

__all__ = [
    "BoardFlowBase",
    "Button",
    "Document",
    "Outcome",
    "Screen",
    "button",
    "keyboard",
]


def keyboard(rows: Rows) -> Rows:
    """The non-empty rows, each split where its labels would be cut on a phone.

    A row whose labels would be cut on a phone in this language is split where they do not fit
    (:func:`bot.views.layout`: 18 characters each for two to a row, 12 for three): "🗳 Открыть
    голосование" stands alone while "⬅️" and "➡️" still share a row.
    """
    kept: Rows = []
    for row in rows:
        start = 0
        for count in layout([b.text for b in row], len(row)) if row else ():
            kept.append(row[start : start + count])
            start += count
    return kept


class BoardFlowBase:
    """What the board's four flows share: the services, the content, the one clock."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.forum = services.content

    @property
    def now(self) -> datetime:
        """The one clock's now."""
        return self.services.clock.now()
