"""/review, /board, /endorse, their buttons (``rv:``, ``bd:``, ``en:``, ``rs:``) and the texts
they await: parse, call the flow, deliver its outcome."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot import callbacks
from bot.context import ForumContext, Services
from bot.errors import StaleButton
from bot.services import board as board_flow
from bot.services import endorsement, reviewing, revisions
from bot.services.board_content import sync_content_recommendations
from handlers.render import deliver
from handlers.updates import chat_id_of, user_id_of

FEATURES = (reviewing.FEATURE, board_flow.FEATURE, endorsement.FEATURE, revisions.FEATURE)


async def on_startup(application: Any, services: Services) -> None:
    """The content file's recommendations; reviews handed on when someone loses the role."""
    await sync_content_recommendations(services)

    async def role_changed(user_id: int) -> None:
        await reviewing.on_role_change(services, user_id)

    services.roles.on_change.append(role_changed)


def _user_id(update: Update) -> int:
    return user_id_of(update)


async def review_command(update: Update, context: ForumContext) -> None:
    """/review: the next proposal to review."""
    flow = reviewing.ReviewFlow(context.services)
    await deliver(update, context, await flow.start(context.tr, _user_id(update)))


async def board_command(update: Update, context: ForumContext) -> None:
    """/board: the organizers' review board."""
    flow = board_flow.BoardFlow(context.services)
    await deliver(update, context, await flow.start(context.tr, _user_id(update)))


async def endorse_command(update: Update, context: ForumContext) -> None:
    """/endorse: the recommendations to support, object to or abstain on."""
    flow = endorsement.EndorsementFlow(context.services)
    await deliver(update, context, await flow.start(context.tr, _user_id(update)))


async def on_button(update: Update, context: ForumContext) -> None:
    """Every button of the four features; a forged one gets the "expired" answer."""
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    tr, user_id, services = context.tr, _user_id(update), context.services
    if data is None or data.feature not in FEATURES:
        raise StaleButton()
    if data.feature == reviewing.FEATURE:
        outcome = await reviewing.ReviewFlow(services).press(tr, user_id, data.action, data.args)
    elif data.feature == board_flow.FEATURE:
        outcome = await board_flow.BoardFlow(services).press(tr, user_id, data.action, data.args)
    elif data.feature == revisions.FEATURE:
        outcome = await revisions.RevisionFlow(services).press(tr, user_id, data.action, data.args)
    elif data.action == "go" and not data.args:
        outcome = await endorsement.EndorsementFlow(services).start(tr, user_id)
    else:
        flow = endorsement.EndorsementFlow(services)
        outcome = await flow.press(tr, user_id, data.action, data.args)
    await deliver(update, context, outcome)


async def on_dialog_text(update: Update, context: ForumContext) -> bool:
    """A text awaited by one of the board's flows (a review comment, a declared organization,
    a revised field, a decision message, a recommendation, an endorsement comment); False when
    none is awaited from this person."""
    services, tr, user_id = context.services, context.tr, _user_id(update)
    if not await services.repos.endorsements.awaits_text(user_id):
        return False  # one query spares everyone else the flows' reads
    message = update.effective_message
    text = message.text if message is not None else None
    for flow in (
        reviewing.ReviewFlow(services),
        board_flow.BoardFlow(services),
        revisions.RevisionFlow(services),
        endorsement.EndorsementFlow(services),
    ):
        outcome = await flow.text(tr, user_id, text)
        if outcome is not None:
            await deliver(update, context, outcome)
            return True
    return False


async def on_dialog_cancel(update: Update, context: ForumContext) -> bool:
    """/cancel while one of the board's texts is awaited: nothing is awaited any more."""
    services, user_id = context.services, _user_id(update)
    if not await services.repos.endorsements.awaits_text(user_id):
        return False
    await board_flow.forget_awaited(services, user_id)
    await context.bot.send_message(
        chat_id_of(update),
        context.tr.pgettext("text input", "Cancelled."),
    )
    return True


def pattern() -> str:
    """The CallbackQueryHandler pattern of the four features."""
    return "^(" + "|".join(FEATURES) + "):"
