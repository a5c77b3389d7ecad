"""/team, the ``team:*`` buttons and the ``join_<token>`` deep link: thin, over TeamFlow."""

from __future__ import annotations

import re

from telegram import Update

from bot import callbacks
from bot.context import ForumContext
from bot.errors import StaleButton
from bot.services.roles import Role
from bot.services.team import FEATURE, TeamFlow, scope_arguments
from bot.views import Outcome, Screen
from handlers import render
from handlers.access import requires
from handlers.updates import message_of, user_id_of

__all__ = ["FEATURE", "on_button", "open_join", "team_command"]

TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


async def _send(update: Update, context: ForumContext, screen: Screen) -> None:
    await render.deliver(update, context, Outcome(screens=[screen]))


@requires(Role.ORGANIZER)
async def team_command(update: Update, context: ForumContext) -> None:
    """/team: the list; ``/team invite moderator s1 s2``: an invitation limited to some ids."""
    tr = context.tr
    flow = TeamFlow(context.services)
    user_id = user_id_of(update)
    args = context.args or []
    if not args:
        await _send(update, context, await flow.list_screen(tr))
        return
    parsed = scope_arguments(args)
    if parsed is None:
        await _send(
            update,
            context,
            Screen(
                tr._(
                    "I did not understand. Send /team for the list, or "
                    "/team invite moderator SESSION_ID ... / /team invite reviewer TOPIC_ID ..."
                )
            ),
        )
        return
    role, scope = parsed
    unknown = flow.check_scope(role, list(scope or ()))
    if unknown:
        text = tr._("The programme has no such ids: {ids}").format(ids=", ".join(unknown))
        await _send(update, context, Screen(text[:1000]))
        return
    screen = await flow.invite(tr, user_id, role, scope, context.bot.username)
    await _send(update, context, screen)


@requires(Role.ORGANIZER)
async def on_button(update: Update, context: ForumContext) -> None:
    """``team:<action>:<args>``."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = callbacks.parse(query.data)
    if data is None or data.feature != FEATURE:
        raise StaleButton()
    outcome = await TeamFlow(context.services).press(
        context.tr, update.effective_user.id, data.action, data.args, context.bot.username
    )
    await render.deliver(update, context, outcome)


async def open_join(update: Update, context: ForumContext, rest: str) -> None:
    """``/start join_<token>``: join the team with the invitation's role."""
    user_id = user_id_of(update)
    flow = TeamFlow(context.services)
    if TOKEN.match(rest):
        text = await flow.accept(context.tr, user_id, rest)
    else:
        text = context.tr._(
            "This invitation link is not valid. Please check it or ask for a new one."
        )
    await message_of(update).reply_text(text)
