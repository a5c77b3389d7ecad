"""/status: the bot's health and figures for organizers, in their language."""

from __future__ import annotations

from telegram import Update

from bot.context import ForumContext
from bot.services.roles import Role
from bot.services.status import snapshot, status_text
from handlers.access import requires
from handlers.updates import message_of


@requires(Role.ORGANIZER)
async def status_command(update: Update, context: ForumContext) -> None:
    """What /healthz and /metrics say, as one message."""
    services = context.services
    receiving = services.receiving
    ok, mode = receiving() if receiving is not None else (True, "polling")
    status = await snapshot(services, receiving=ok, mode=mode)
    await message_of(update).reply_text(status_text(context.tr, status))
