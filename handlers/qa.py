"""Live Q&A in chat: ``qa:*`` buttons, /moderate, /screen, the ask dialog and ``ask_<id>`` links.

Thin: parse the button or message, call :class:`bot.services.qa.QaFlow` or
:class:`bot.services.polls.PollFlow`, render the neutral outcome. Buttons (``qa:<action>:...``):
``ask:<session>`` ask, ``named:<0|1>`` with name or not, ``x`` cancel, ``list:<session>:<page>``,
``v:<question>:<page>:<1|0>`` vote or take it back, ``m:<a|r|d|n|h|p>:<question>``
moderation, ``ms:<session>`` a session's desk, ``pc:<session>:<index>`` / ``pn:<session>``
start a poll, ``pa:<poll>:<option>`` answer it, ``px:<poll>:<0|1>`` close it (share results),
``xs`` / ``xl:<session>`` the questions of a session as XLSX (organizers, from /results).
"""

from __future__ import annotations

import logging

from telegram import Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.services.polls import PollFlow
from bot.services.qa import QaFlow
from bot.services.qa_common import parse_id, parse_page
from bot.services.qa_export import export, export_menu
from bot.services.qa_moderation import MODERATION
from bot.services.qa_screens import screen_links
from bot.services.roles import Role
from bot.views import Outcome
from handlers import render
from handlers.access import requires
from handlers.updates import user_id_of

log = logging.getLogger(__name__)


def qa_flow(context: ForumContext) -> QaFlow:
    """The Q&A flow over the context's services."""
    return QaFlow(context.services)


def poll_flow(context: ForumContext) -> PollFlow:
    """The poll flow over the context's services."""
    return PollFlow(context.services)


async def ask_link(update: Update, context: ForumContext, rest: str) -> None:
    """``/start ask_<session>`` (the QR code in the hall): start asking."""
    user_id = user_id_of(update)
    await render.deliver(
        update, context, await qa_flow(context).start_ask(context.tr, user_id, rest)
    )


@requires(Role.MODERATOR)
async def moderate_command(update: Update, context: ForumContext) -> None:
    """/moderate: the sessions on now that the person moderates, with waiting questions."""
    user_id = user_id_of(update)
    await render.deliver(update, context, await qa_flow(context).overview(context.tr, user_id))


@requires(Role.ORGANIZER)
async def screen_command(update: Update, context: ForumContext) -> None:
    """/screen: the hall screen links (with their keys) of the day's sessions."""
    await render.deliver(
        update, context, Outcome(screens=[screen_links(context.services, context.tr)])
    )


async def on_message(update: Update, context: ForumContext) -> None:
    """A message a Q&A dialog waits for: the question, a reply or a typed poll."""
    user_id = user_id_of(update)
    message = update.effective_message
    text = message.text if message is not None else None
    await render.deliver(update, context, await qa_flow(context).text(context.tr, user_id, text))


async def claim(update: Update, context: ForumContext) -> bool:
    """The dialog router's claim: handle the message when a fresh Q&A dialog waits for it
    (read from the database); False leaves it to the next claimant."""
    user = update.effective_user
    if user is None or not await qa_flow(context).waiting_for(user.id):
        return False
    await on_message(update, context)
    return True


async def claim_cancel(update: Update, context: ForumContext) -> bool:
    """/cancel while a Q&A dialog waits for text: the dialog ends."""
    user = update.effective_user
    if user is None or not await qa_flow(context).waiting_for(user.id):
        return False
    await qa_flow(context).cancel(user.id)
    cancelled = context.tr.pgettext("Q&A dialog", "Cancelled.")
    await render.deliver(update, context, Outcome.send(cancelled))
    return True


async def on_button(update: Update, context: ForumContext) -> None:
    """Every ``qa:*`` button."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    tr, user_id = context.tr, update.effective_user.id
    data = callbacks.parse(query.data)
    outcome: Outcome | None = None  # no branch took it: a stale or forged button
    flow = qa_flow(context)
    if data is not None:
        action, first = data.action, data.arg(0)
        if action == "ask":
            outcome = await flow.start_ask(tr, user_id, first)
        elif action == "x":
            await flow.cancel(user_id)
            outcome = Outcome.edit(tr.pgettext("Q&A dialog", "Cancelled."))
        elif action == "named" and (named := parse_page(first)) is not None:
            outcome = await flow.submit(tr, user_id, named)
        elif action == "list" and (page := parse_page(data.arg(1))) is not None:
            outcome = await flow.open_list(tr, user_id, first, page)
        elif (
            action == "v"
            and (question := parse_id(first)) is not None
            and (page := parse_page(data.arg(1))) is not None
            and data.arg(2) in ("0", "1")
        ):
            outcome = await flow.vote(tr, user_id, question, page, data.arg(2) == "1")
        elif action == "m" and first in MODERATION and (question := parse_id(data.arg(1))):
            outcome = await flow.moderate(tr, user_id, first, question)
        elif action == "xs":
            outcome = await export_menu(context.services, tr, user_id)
        elif action == "xl":
            outcome = await export(context.services, tr, user_id, first)
        elif action == "ms":
            outcome = await flow.session_desk(tr, user_id, first)
        elif action == "pc" and (index := parse_page(data.arg(1))) is not None:
            outcome = await poll_flow(context).start_content(tr, user_id, first, index)
        elif action == "pn":
            outcome = await poll_flow(context).start_typed(tr, user_id, first)
        elif action == "pa" and (poll := parse_id(first)) is not None:
            option = parse_page(data.arg(1))
            outcome = await poll_flow(context).answer(
                tr, user_id, poll, -1 if option is None else option
            )
        elif action == "px" and (poll := parse_id(first)) is not None:
            share = parse_page(data.arg(1))
            outcome = await poll_flow(context).close(
                tr, user_id, poll, -1 if share is None else share
            )
    if outcome is None:
        raise StaleButton()
    await render.deliver(update, context, outcome)
