"""What the review board's four flows share: the services, the content, the one clock, and the
neutral view models (bot/views.py) their steps return; handlers/render.py shows them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.views import Button, Document, Outcome, Rows, Screen, button

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
    """The non-empty rows (a step builds optional rows as empty lists)."""
    return [r for r in rows if r]


class BoardFlowBase:
    """What the board's four flows share: the services, the content, the one clock."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.forum = services.content

    @property
    def now(self) -> datetime:
        """The one clock's now."""
        return self.services.clock.now()
