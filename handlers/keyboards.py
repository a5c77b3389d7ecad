"""Keyboards shared by several features, laid out so that every label fits a phone."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot import callbacks, views
from bot.i18n import Translator
from bot.labels import LANGUAGE_NAMES
from bot.prepared_keyboards import PreparedInlineKeyboard, PreparedReplyKeyboard
from bot.views import layout


@functools.cache  # a few features times four states: built once, sent to everyone
def language_keyboard(feature: str, current: str | None = None) -> InlineKeyboardMarkup:
    """One button per language; the current one is ticked."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + name,
            callback_data=callbacks.make(feature, "lang", code),
        )
        for code, name in LANGUAGE_NAMES.items()
    ]
    return PreparedInlineKeyboard([buttons])


def rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out up to ``width`` to a row, each with room for its label (see layout)."""
    return views.rows(buttons, width)


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
    return PreparedReplyKeyboard(keyboard, resize_keyboard=True, is_persistent=True)
