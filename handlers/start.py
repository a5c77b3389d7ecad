"""/start: greeting, first-time onboarding (language, stakeholder group), deep links."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.i18n import Translator
from bot.labels import STAKEHOLDER_LABELS
from handlers.keyboards import language_keyboard, rows
from handlers.language import remember_written
from handlers.updates import chat_id_of, message_of
from storage.users import STAKEHOLDER_GROUPS

log = logging.getLogger(__name__)

FEATURE = "onb"


def stakeholder_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    """The eight groups, two to a row, and "Skip"."""
    buttons = [
        InlineKeyboardButton(
            tr._(STAKEHOLDER_LABELS[g]), callback_data=callbacks.make(FEATURE, "grp", g)
        )
        for g in STAKEHOLDER_GROUPS
    ]
    keyboard = rows(buttons, 2)
    keyboard.append(
        [InlineKeyboardButton(tr._("Skip"), callback_data=callbacks.make(FEATURE, "grp", "-"))]
    )
    return InlineKeyboardMarkup(keyboard)


def welcome_text(context: ForumContext) -> str:
    """The greeting with the forum's name, dates and venue."""
    tr, forum = context.tr, context.content.forum
    count = len([s for s in context.content.sessions if s.kind not in ("break", "registration")])
    programme = tr.ngettext(
        "The programme has {n} session.", "The programme has {n} sessions.", count
    ).format(n=count)
    return tr._(
        "Welcome! This is the bot of the {forum}.\n\n{dates}, {venue}.\n\n"
        "Here you can see the agenda, ask about speakers, answer surveys and send your "
        "proposals. Use the menu below or /help."
    ).format(
        forum=forum.name.get(tr.language),
        dates=tr.date_range(forum.starts, forum.ends),
        venue=forum.venue.get(tr.language),
    ) + ("\n\n" + programme if count else "")


async def show_main_menu(update: Update, context: ForumContext, text: str) -> None:
    """Send ``text`` with the main menu keyboard in the user's language."""
    menu = context.services.main_menu()
    await context.bot.send_message(
        chat_id_of(update),
        text,
        reply_markup=menu.keyboard(context.tr, context.is_organizer()),
    )


async def start(update: Update, context: ForumContext) -> None:
    """/start and /start PAYLOAD."""
    payload = context.args[0] if context.args else ""
    user = context.user
    if payload:
        prefix, _, rest = payload.partition("_")
        target = context.services.deep_links.get(prefix)
        if target is not None and rest:
            if user is not None and not user.onboarded:
                await show_main_menu(update, context, welcome_text(context))
            await target(update, context, rest)
            return
        log.info("unknown deep link payload %r", payload)
    if user is not None and not user.onboarded:
        await message_of(update).reply_text(
            welcome_text(context) + "\n\n" + context.tr._("First, choose your language:"),
            reply_markup=language_keyboard(FEATURE, context.tr.language),
        )
        return
    await show_main_menu(update, context, welcome_text(context))


async def on_button(update: Update, context: ForumContext) -> None:
    """Onboarding buttons: ``onb:lang:<code>`` then ``onb:grp:<group or ->``."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = callbacks.parse(query.data)
    users = context.repos.users
    user_id = update.effective_user.id
    if data is not None and data.action == "lang" and data.arg(0) in ("kk", "ru", "en"):
        await users.set_language(user_id, data.arg(0))
        await remember_written(context, user_id, language=data.arg(0))
        await query.answer()
        await query.edit_message_text(
            context.tr._(
                "Which group do you represent? This helps the organizers; you can skip it."
            ),
            reply_markup=stakeholder_keyboard(context.tr),
        )
        return
    if (
        data is not None
        and data.action == "grp"
        and (data.arg(0) in STAKEHOLDER_GROUPS or data.arg(0) == "-")
    ):
        group = None if data.arg(0) == "-" else data.arg(0)
        await users.set_stakeholder(user_id, group)
        await remember_written(context, user_id, stakeholder=group, onboarded=True)
        await query.answer()
        chosen = (
            context.tr._("Group: {group}.").format(group=context.tr._(STAKEHOLDER_LABELS[group]))
            if group
            else context.tr._("Group: not specified.")
        )
        await query.edit_message_text(chosen)
        await show_main_menu(
            update,
            context,
            context.tr._("All set! Use the menu below or /help."),
        )
        return
    raise StaleButton()
