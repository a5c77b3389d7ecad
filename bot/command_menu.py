"""The command menu Telegram shows, per language and per chat: everyone's, and the team's.

At start-up everyone gets the default menu and each team member their role's menu in their own
chat scope; when a role is given, changed or taken away (bot/services/roles.py), that person's
chat menu follows at once (:func:`refresh`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.commands import commands_for
from bot.services.roles import Role

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)


async def register(bot: Any, services: Services) -> None:
    """Everyone's menu per language, then each team member's."""
    default = services.settings.default_language
    for code, tr in services.i18n.all().items():
        everyone = [BotCommand(c.name, tr._(c.description)) for c in commands_for(False)]
        await bot.set_my_commands(everyone, scope=BotCommandScopeDefault(), language_code=code)
        if code == default:
            await bot.set_my_commands(everyone, scope=BotCommandScopeDefault())
    for grant in services.roles.members():
        await refresh(bot, services, grant.user_id)


async def refresh(bot: Any, services: Services, user_id: int) -> None:
    """Set (or drop) the menu of one person's private chat after their role changed."""
    roles = services.roles
    role = roles.role_of(user_id)
    scope = BotCommandScopeChat(user_id)
    default = services.settings.default_language
    for code, tr in services.i18n.all().items():
        if role is None:
            await bot.delete_my_commands(scope=scope, language_code=code)
            if code == default:
                await bot.delete_my_commands(scope=scope)
            continue
        organizer = roles.has(user_id, Role.ORGANIZER)
        shown = commands_for(organizer, role.value)
        menu = [BotCommand(c.name, tr._(c.description)) for c in shown]
        await bot.set_my_commands(menu, scope=scope, language_code=code)
        if code == default:
            await bot.set_my_commands(menu, scope=scope)


async def refresh_safely(bot: Any, services: Services, user_id: int) -> None:
    """:func:`refresh`, logging instead of failing (the role change itself is done)."""
    try:
        await refresh(bot, services, user_id)
    except TelegramError as exc:
        log.warning("could not update a team member's command menu: %s", exc)
