"""Keyboards shared by several features, laid out so that every label fits a phone."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.i18n import Translator
from handlers import callbacks

# Characters of Telegram's button font across a narrow phone (360 dp): a label longer than its
# share of the row is cut with "…" («⭐ Менің күн тәртібім» in a row of two was).
ROW_CHARACTERS = 36
# Code points that take no room of their own: variation selectors and the zero-width joiner.
_INVISIBLE = frozenset("\ufe0e\ufe0f\u200d")

# Each language's name in itself: shown the same to everyone.
LANGUAGE_NAMES: dict[str, str] = {"kk": "🇰🇿 Қазақша", "ru": "🇷🇺 Русский", "en": "🇬🇧 English"}


def language_keyboard(feature: str, current: str | None = None) -> InlineKeyboardMarkup:
    """One button per language; the current one is ticked."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + name,
            callback_data=callbacks.make(feature, "lang", code),
        )
        for code, name in LANGUAGE_NAMES.items()
    ]
    return InlineKeyboardMarkup([buttons])


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


def rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out up to ``width`` to a row, each with room for its label (:func:`layout`)."""
    result: list[list[InlineKeyboardButton]] = []
    start = 0
    for count in layout([b.text for b in buttons], width):
        result.append(list(buttons[start : start + count]))
        start += count
    return result


def confirm_keyboard(
    tr: Translator, feature: str, action: str, *args: object
) -> InlineKeyboardMarkup:
    """ "Yes" / "No" buttons: ``feature:action:yes`` and ``feature:action:no``."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr._("Yes"), callback_data=callbacks.make(feature, action, "yes", *args)
                ),
                InlineKeyboardButton(
                    tr._("No"), callback_data=callbacks.make(feature, action, "no", *args)
                ),
            ]
        ]
    )


def reply_menu(labels: Sequence[str], width: int = 2) -> ReplyKeyboardMarkup:
    """The persistent main menu under the message field, two to a row where labels fit."""
    keyboard: list[list[str]] = []
    start = 0
    for count in layout(labels, width):
        keyboard.append(list(labels[start : start + count]))
        start += count
    return ReplyKeyboardMarkup(keyboard, resize_keyboard=True, is_persistent=True)
