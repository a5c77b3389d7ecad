"""Neutral view models of the Q&A flows: screens with buttons, and the outcome of a step.

A button names an action and its arguments; ``handlers/qa.py`` turns them into callback data
(through the callbacks module) and Telegram markup. Texts are plain (no parse mode), so a
question's text can never be read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Button:
    """A button: an action of the ``qa`` feature with its arguments, or a link."""

    label: str
    action: str = ""
    args: tuple[object, ...] = ()
    url: str | None = None


@dataclass
class Screen:
    """A message: plain text and rows of buttons."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)


@dataclass
class Outcome:
    """What the handler shows after a step."""

    hint: str | None = None  # a short notice (button: the query's answer; message: a reply)
    alert: bool = False  # show the hint as an alert (refusals)
    edit: Screen | None = None  # new content for the message the button is on
    send: list[Screen] = field(default_factory=list)
    document: tuple[str, bytes] | None = None  # (file name, content) to send


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
