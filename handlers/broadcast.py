"""/broadcast, /broadcasts and the ``bc:*`` buttons for organizers: parse, check the role, call
:class:`~bot.services.broadcast_composer.BroadcastComposer`, render its outcome.

The draft row is the dialog's state: :func:`on_dialog_text` and :func:`on_dialog_cancel` are
asked by the dialog router (handlers/dialogs.py) for every message and /cancel.
"""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.services.broadcast_composer import FEATURE, BroadcastComposer
from handlers import render
from handlers.access import organizer_only
from handlers.dialogs import claimed

__all__ = [
    "FEATURE",
    "begin",
    "list_broadcasts",
    "on_button",
    "on_dialog_cancel",
    "on_dialog_text",
]


def _composer(context: ForumContext) -> BroadcastComposer:
    return BroadcastComposer(context.services, context.bot.username)


@organizer_only
async def begin(update: Update, context: ForumContext) -> None:
    """/broadcast: a new draft."""
    user = update.effective_user
    assert user is not None
    await render.deliver(update, context, await _composer(context).begin(context.tr, user.id))


@organizer_only
async def list_broadcasts(update: Update, context: ForumContext) -> None:
    """/broadcasts: scheduled, running and past ones, with their controls."""
    await render.deliver(update, context, await _composer(context).listing(context.tr))


@organizer_only
async def on_button(update: Update, context: ForumContext) -> None:
    """Every ``bc:`` press: a composer step or a control of a started broadcast."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    data = callbacks.parse(query.data)
    if data is None:
        raise StaleButton()
    outcome = await _composer(context).press(context.tr, user.id, data)
    await render.deliver(update, context, outcome)


async def on_dialog_text(update: Update, context: ForumContext) -> bool:
    """The text or the moment the organizer's draft awaits; False when none is awaited."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    composer = _composer(context)
    draft = await composer.draft(user.id)
    if draft is None or draft.awaiting is None:
        return False
    if not context.is_organizer():  # no longer an organizer: the draft goes, text is free
        await composer.cancel(context.tr, user.id)
        return False
    await render.deliver(update, context, await composer.text(context.tr, draft, message.text))
    return True


async def on_dialog_cancel(update: Update, context: ForumContext) -> bool:
    """/cancel while composing: the draft is discarded; False when there is none."""
    outcome = await _composer(context).cancel(context.tr, render.sender_id(update))
    return await claimed(update, context, outcome)
