"""Keyboards shared by several features."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot import callbacks
from bot.i18n import Translator
from bot.labels import LANGUAGE_NAMES


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


def rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out ``width`` to a row."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


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
    """The persistent main menu under the message field."""
    keyboard = [list(labels[i : i + width]) for i in range(0, len(labels), width)]
    return ReplyKeyboardMarkup(keyboard, resize_keyboard=True, is_persistent=True)
