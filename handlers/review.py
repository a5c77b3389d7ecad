"""/proposals and the ``prv:*`` buttons for organizers: parse, check the role, call
:class:`~bot.services.review.ReviewFlow`, render its outcome. Every action is organizer-only."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.services.review import FEATURE, ReviewFlow
from handlers import render
from handlers.access import organizer_only
from handlers.dialogs import claimed

__all__ = ["FEATURE", "list_command", "on_button", "on_dialog_cancel", "on_dialog_text"]


@organizer_only
async def list_command(update: Update, context: ForumContext) -> None:
    """/proposals."""
    await render.deliver(update, context, await ReviewFlow(context.services).open_list(context.tr))


@organizer_only
async def on_button(update: Update, context: ForumContext) -> None:
    """Every ``prv:`` button."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    data = callbacks.parse(query.data)
    if data is None:
        raise StaleButton()
    outcome = await ReviewFlow(context.services).press(context.tr, user.id, data.action, data.args)
    await render.deliver(update, context, outcome)


async def on_dialog_text(update: Update, context: ForumContext) -> bool:
    """The comment an organizer was asked for; False when none is awaited."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    flow = ReviewFlow(context.services)
    if not await flow.awaiting_comment(user.id):
        return False
    if not context.is_organizer():  # no longer an organizer: the dialog ends, text is free
        await flow.drop_comment(user.id)
        return False
    outcome = await flow.take_comment(context.tr, user.id, message.text)
    await render.deliver(update, context, outcome)
    return True


async def on_dialog_cancel(update: Update, context: ForumContext) -> bool:
    """/cancel while a comment is awaited; False when none is."""
    outcome = await ReviewFlow(context.services).cancel_comment(
        context.tr, render.sender_id(update)
    )
    return await claimed(update, context, outcome)
