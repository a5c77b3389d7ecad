"""Neutral view models that flows return and one renderer (handlers/render.py) shows.

Flows in ``bot/services/`` know no Telegram types: they describe a message as a :class:`Screen`
(text, rows of :class:`Button`, and whether it replaces the message the button was on or comes
as a new one), a short notice as :class:`Text`, a file as :class:`Document`, and bundle them in
an :class:`Outcome`. Outbox rows take the Bot API JSON of a keyboard (:func:`keyboard_json`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, TypeVar

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


# Characters of Telegram's button font across a narrow phone (360 dp): a label longer than its
# share of the row is cut with "…" («⭐ Менің күн тәртібім» in a row of two was).
ROW_CHARACTERS = 36
# Code points that take no room of their own: variation selectors and the zero-width joiner.
_INVISIBLE = frozenset("\ufe0e\ufe0f\u200d")


def label_length(label: str) -> int:
    """Characters a label shows: an emoji's variation selector or joiner takes no room."""
    return sum(1 for c in label if c not in _INVISIBLE)


def label_limit(per_row: int) -> int:
    """How long a label may be when ``per_row`` buttons share a row (18 for two)."""
    return ROW_CHARACTERS // max(per_row, 1)


def layout(labels: Sequence[str], width: int) -> list[int]:
    """How many of ``labels`` go in each row: up to ``width``, fewer where one would be cut.

    A label that does not fit its share of the row starts a row of its own; so regions,
    groups or goals with long names stand one to a row while short ones still pair up.
    """
    counts: list[int] = []
    row: list[str] = []
    for label in labels:
        candidate = [*row, label]
        limit = label_limit(len(candidate))
        if row and (len(candidate) > width or any(label_length(x) > limit for x in candidate)):
            counts.append(len(row))
            row = [label]
        else:
            row = candidate
    if row:
        counts.append(len(row))
    return counts


class Labelled(Protocol):
    """A button of any kind: a view :class:`Button` or a Telegram one."""

    @property
    def text(self) -> str: ...


LabelledT = TypeVar("LabelledT", bound=Labelled)


def rows(buttons: Sequence[LabelledT], width: int) -> list[list[LabelledT]]:
    """Lay buttons out up to ``width`` to a row, each with room for its label (:func:`layout`)."""
    result: list[list[LabelledT]] = []
    start = 0
    for count in layout([b.text for b in buttons], width):
        result.append(list(buttons[start : start + count]))
        start += count
    return result


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
    """A message: ``edit`` replaces the message the pressed button is on (else it is sent).

    With ``photo`` (PNG bytes) it is a new picture with the text as its caption.
    """

    text: str
    buttons: Rows = field(default_factory=list)
    target: Target = "send"
    html: bool = False
    photo: bytes | None = None


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

    @classmethod
    def of(
        cls,
        hint: str | None = None,
        *,
        alert: bool = False,
        edit: Screen | None = None,
        send: Sequence[Screen] = (),
        files: Sequence[Document] = (),
    ) -> Outcome:
        """A hint (an alert when ``alert``), ``edit`` replacing the pressed message, then new
        messages and files: the board's and the team's steps read best this way."""
        screens = [replace(edit, target="edit")] if edit is not None else []
        screens += [replace(s, target="send") for s in send]
        return cls(Text(hint, alert) if hint else None, screens, list(files))
