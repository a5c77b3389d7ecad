"""``rate:*`` buttons (open from the session card, stars, comment) and the awaited comment."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest

from bot.context import ForumContext
from bot.services.ratings import COMMENT_MAX_LENGTH, FEATURE, can_rate, prompt
from bot.services.surveys import SurveyFlow
from handlers import callbacks
from handlers.updates import chat_id_of
from storage.surveys import Cursor

__all__ = ["FEATURE", "on_button", "on_comment"]


async def on_button(update: Update, context: ForumContext) -> None:
    """``rate:open:<session>``, ``rate:s:<session>:<1-5>``, ``rate:c:<session>``."""
    query = update.callback_query
    assert query is not None
    assert update.effective_user is not None
    tr, user_id = context.tr, update.effective_user.id
    data = callbacks.parse(query.data)
    session = context.content.session(data.arg(0)) if data is not None else None
    if data is None or session is None:
        await query.answer(tr._("This session is no longer in the programme."), show_alert=True)
        return
    if not can_rate(session, context.clock.now()):
        await query.answer(tr._("You can rate this session once it has started."), show_alert=True)
        return
    ratings = context.repos.ratings
    chat_id = chat_id_of(update)
    if data.action == "open":
        await query.answer()
        text, markup = prompt(tr, session, await ratings.get(user_id, session.id))
        await context.bot.send_message(chat_id, text, reply_markup=markup)
        return
    if data.action == "s":
        stars = data.int_arg(1)
        if stars is None or not 1 <= stars <= 5:
            await query.answer(tr._("This button has expired. Please open the menu again."))
            return
        stakeholder = context.user.stakeholder if context.user is not None else None
        await ratings.rate(
            user_id, session.id, stars, stakeholder=stakeholder, now=context.clock.now()
        )
        await query.answer(tr._("Saved: {stars} of 5.").format(stars=stars))
        text, markup = prompt(tr, session, await ratings.get(user_id, session.id))
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    if data.action == "c":
        if await ratings.get(user_id, session.id) is None:
            await query.answer(tr._("Please choose the stars first."), show_alert=True)
            return
        await query.answer()
        await SurveyFlow(context.services).set_cursor(user_id, "comment", session.id, None, None)
        await context.bot.send_message(
            chat_id,
            tr._(
                "Write your comment on “{title}” in one message (up to {limit} characters)."
            ).format(title=session.title.get(tr.language), limit=tr.number(COMMENT_MAX_LENGTH)),
        )
        return
    await query.answer(tr._("This button has expired. Please open the menu again."))


async def on_comment(update: Update, context: ForumContext, cursor: Cursor) -> None:
    """The message after "Add a comment": saved as the comment, or a hint to try again."""
    tr = context.tr
    message = update.effective_message
    assert message is not None
    assert update.effective_user is not None
    user_id = update.effective_user.id
    flow = SurveyFlow(context.services)
    session = context.content.session(cursor.ref)
    if session is None:
        await flow.clear_cursor(user_id)
        await message.reply_text(tr._("This session is no longer in the programme."))
        return
    text = (message.text or "").strip()
    if not text:
        await message.reply_text(tr._("Please write your comment as a text message."))
        return
    if len(text) > COMMENT_MAX_LENGTH:
        await message.reply_text(
            tr._(
                "Your answer is {length} characters long; the limit is {limit}. "
                "Please shorten it and send it again."
            ).format(length=tr.number(len(text)), limit=tr.number(COMMENT_MAX_LENGTH))
        )
        return
    await context.repos.ratings.set_comment(user_id, session.id, text)
    await flow.clear_cursor(user_id)
    await message.reply_text(tr._("Thank you! Your comment is saved."))
