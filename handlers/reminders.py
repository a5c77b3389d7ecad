"""/reminders and the ``rem:*`` buttons: how long before a starred session to be reminded."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.i18n import Translator
from bot.services.reminders import CHOICES
from handlers import render
from handlers.keyboards import rows

FEATURE = "rem"


def _label(tr: Translator, minutes: int) -> str:
    if minutes <= 0:
        return tr._("Off")
    return tr.ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def menu_text(tr: Translator, minutes: int) -> str:
    """What the reminder settings say now."""
    if minutes <= 0:
        current = tr._("Reminders are off.")
    else:
        current = tr.ngettext(
            "I remind you {n} minute before each session you starred.",
            "I remind you {n} minutes before each session you starred.",
            minutes,
        ).format(n=minutes)
    return "⏰ " + current + "\n\n" + tr._("When should I remind you?")


def menu_keyboard(tr: Translator, minutes: int) -> InlineKeyboardMarkup:
    """5 / 10 / 15 / 30 minutes and Off; the current choice ticked."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if value == minutes else "") + _label(tr, value),
            callback_data=callbacks.make(FEATURE, "set", value),
        )
        for value in (*CHOICES, 0)
    ]
    return InlineKeyboardMarkup(rows(buttons, 3))


async def show(update: Update, context: ForumContext) -> None:
    """/reminders."""
    assert update.effective_user is not None
    assert update.effective_message is not None
    minutes = await context.repos.broadcasts.reminder_minutes(update.effective_user.id)
    await update.effective_message.reply_text(
        menu_text(context.tr, minutes), reply_markup=menu_keyboard(context.tr, minutes)
    )


async def on_button(update: Update, context: ForumContext) -> None:
    """``rem:menu`` (from /my and reminders) and ``rem:set:<minutes>``."""
    query = update.callback_query
    assert query is not None
    assert update.effective_user is not None
    data = callbacks.parse(query.data)
    user_id = update.effective_user.id
    tr = context.tr
    if data is not None and data.action == "menu":
        await query.answer()
        minutes = await context.repos.broadcasts.reminder_minutes(user_id)
        await context.bot.send_message(
            user_id, menu_text(tr, minutes), reply_markup=menu_keyboard(tr, minutes)
        )
        return
    value = data.int_arg(0) if data is not None and data.action == "set" else None
    if value is None or value not in (*CHOICES, 0):
        raise StaleButton()
    await context.repos.broadcasts.set_reminder_minutes(user_id, value)
    await query.answer(tr._("Saved."))
    await render.edit_or_send(
        context,
        user_id,
        menu_text(tr, value),
        menu_keyboard(tr, value),
        message_id=render.pressed_message_id(query),
    )
