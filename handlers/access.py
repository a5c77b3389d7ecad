"""Who may do what in a handler: ``@requires(Role.X)`` refuses everyone else, localized.

    @requires(Role.ORGANIZER)
    async def reload_command(update, context): ...

The check asks the roles service (bot/services/roles.py) on every call, so a role given or
taken away in /team applies to the very next update. Scoped checks (a moderator of one session)
belong in the flow, which knows the session: ``context.services.roles.has(uid, role, session=s)``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.context import ForumContext
from bot.i18n import N_
from bot.services.roles import Role

log = logging.getLogger(__name__)

Callback = Callable[[Update, ForumContext], Coroutine[Any, Any, Any]]

REFUSALS: dict[Role, str] = {
    Role.OWNER: N_("This is only for the bot's owners."),
    Role.ORGANIZER: N_("This is only for the forum's organizers."),
    Role.MODERATOR: N_("This is only for the forum's moderators."),
    Role.REVIEWER: N_("This is only for the forum's reviewers."),
}


async def refuse(update: Update, context: ForumContext, role: Role = Role.ORGANIZER) -> None:
    """Tell someone that this is not for them (as an alert for a button)."""
    text = context.tr._(REFUSALS[role])
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def requires(role: Role) -> Callable[[Callback], Callback]:
    """Run the callback only for people with ``role`` (or a higher one); refuse the others."""

    def decorate(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def guarded(update: Update, context: ForumContext) -> Any:
            user = update.effective_user
            if user is None or not context.services.roles.has(user.id, role):
                # No user id at INFO or above: the action's name is enough to notice probing.
                log.warning("refused %s action %s", role.value, callback.__name__)
                await refuse(update, context, role)
                return None
            return await callback(update, context)

        return guarded

    return decorate


# The original guard, kept so that handlers written before team roles keep working.
organizer_only = requires(Role.ORGANIZER)
