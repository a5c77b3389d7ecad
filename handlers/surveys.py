"""/surveys, the ``sv:*`` buttons, awaited text answers and the ``survey_<id>`` deep link."""

from __future__ import annotations

import logging

from telegram import Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.services.surveys import FEATURE, Outcome, SurveyFlow
from handlers import ratings, render
from handlers.updates import chat_id_of, message_of, user_id_of

log = logging.getLogger(__name__)

__all__ = ["FEATURE", "on_button", "on_message", "open_link"]


async def deliver(
    update: Update, context: ForumContext, outcome: Outcome, *, edit_id: int | None = None
) -> None:
    """Show an outcome: the hint, the edit, new messages; remember the question now shown."""
    query = update.callback_query
    chat_id = chat_id_of(update)
    user_id = user_id_of(update)
    flow = SurveyFlow(context.services)
    if query is not None:
        await query.answer(outcome.hint)
        edit_id = query.message.message_id if query.message is not None else None
    elif outcome.hint:
        await context.bot.send_message(chat_id, outcome.hint)
    shown: tuple[str, str, int] | None = None
    edited = None
    if outcome.edit is not None and edit_id is not None:
        edited = await render.edit_or_send(
            context,
            chat_id,
            outcome.edit.text,
            render.markup(outcome.edit.buttons),
            message_id=edit_id,
        )
        if outcome.edit.question is not None and edited is not None:
            shown = (*outcome.edit.question, edited)
    for message in outcome.send:
        sent = await context.bot.send_message(
            chat_id, message.text, reply_markup=render.markup(message.buttons)
        )
        if message.question is not None:
            shown = (*message.question, sent.message_id)
    if shown is None:
        return
    old = await flow.repo.cursor(user_id)
    if old is not None and old.message_id is not None and old.message_id not in (edited, shown[2]):
        # The question moved on: its old buttons go.
        await render.edit_markup(context, chat_id, old.message_id, [])
    await flow.set_cursor(user_id, "survey", shown[0], shown[1], shown[2])


async def show_list(update: Update, context: ForumContext) -> None:
    """/surveys and the menu item: open surveys with the person's progress."""
    user_id = user_id_of(update)
    message = await SurveyFlow(context.services).list_message(context.tr, user_id)
    await message_of(update).reply_text(message.text, reply_markup=render.markup(message.buttons))


async def open_link(update: Update, context: ForumContext, rest: str) -> None:
    """``/start survey_<id>``: open that survey."""
    survey = context.content.survey(rest)
    if survey is None:
        await message_of(update).reply_text(context.tr._("This survey is no longer available."))
        return
    user_id = user_id_of(update)
    outcome = await SurveyFlow(context.services).open(context.tr, user_id, survey)
    await deliver(update, context, outcome)


async def on_button(update: Update, context: ForumContext) -> None:
    """``sv:<action>:<survey>:<question>:<value>``."""
    query = update.callback_query
    assert query is not None
    assert update.effective_user is not None
    data = callbacks.parse(query.data)
    if data is None:
        raise StaleButton()
    flow = SurveyFlow(context.services)
    outcome = await flow.press(context.tr, update.effective_user.id, data.action, data.args)
    await deliver(update, context, outcome)


async def on_message(update: Update, context: ForumContext) -> bool:
    """The dialog router's claim (handlers/dialogs.py): a survey answer, a rating comment or
    wrong input to them.

    Returns False when no question is waiting for this person (the message is not for us).
    """
    user_id = user_id_of(update)
    flow = SurveyFlow(context.services)
    cursor = await flow.awaiting(user_id)
    if cursor is None:
        return False
    if cursor.kind == "comment":
        await ratings.on_comment(update, context, cursor)
        return True
    message = update.effective_message
    text = message.text if message is not None else None
    outcome = await flow.text(context.tr, user_id, text)
    await deliver(update, context, outcome, edit_id=cursor.message_id)
    return True
