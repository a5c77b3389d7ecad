"""/team: an owner invites, the person accepts, the role changes and is removed; each step is
seen in the person's language, command menu and what they may do. Bad links get an answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.sandbox.harness import SandboxServer, SandboxUser
from bot.services.roles import Role

LINK = re.compile(r"https://t\.me/\S+\?start=join_([A-Za-z0-9_-]+)")


def menu(sandbox: SandboxServer, user: SandboxUser) -> set[str]:
    return {c["command"] for c in sandbox.world.resolve_commands(user.id)}


async def invite(owner: SandboxUser, button: str) -> str:
    await owner.command("/team")
    await owner.expect("The forum's team")
    await owner.press(button)
    message = await owner.expect(LINK)
    assert message.photo is not None, "the invitation comes with its QR code"
    match = LINK.search(message.text)
    assert match is not None
    return match.group(1)


async def test_invite_accept_change_remove(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    owner = make_user(lang="en", organizer=True)
    token = await invite(owner, "➕ Moderator")

    maria = make_user(lang="ru", first_name="Мария")
    await maria.command("/start", f"join_{token}")
    await maria.expect("Добро пожаловать в команду форума! Ваша роль: Модератор")
    await owner.expect("Мария accepted your invitation to the team: Moderator.")
    assert "team" not in menu(sandbox, maria)  # a moderator is no organizer
    await maria.command("/status")
    await maria.expect("только организаторам")

    # The same link a second time: used up.
    other = make_user(lang="en")
    await other.command("/start", f"join_{token}")
    await other.expect("already been used")

    # The owner makes her an organizer: she is told in Russian, her menu and rights follow.
    await owner.command("/team")
    await owner.expect("Мария — Moderator")
    await owner.press("✏️ Мария")
    await owner.expect("Мария: Moderator")
    await owner.press("Organizer")
    await owner.expect("Мария: Organizer")
    await maria.expect("Ваша роль в команде форума теперь: Организатор")
    assert {"team", "status", "broadcast"} <= menu(sandbox, maria)
    await maria.command("/status")
    await maria.expect("Пользователей зарегистрировано")

    # Removed: told, menu back to everyone's, /status refused again.
    await owner.press("🗑 Remove from the team")
    await owner.expect("Remove Мария from the team?")
    await owner.press("Yes, remove")
    await maria.expect("Вы больше не в команде форума")
    assert "team" not in menu(sandbox, maria) and "agenda" in menu(sandbox, maria)
    await maria.command("/status")
    await maria.expect("только организаторам")


async def test_expired_unknown_and_owner_links(
    bot_app: Any, clock: Clock, make_user: Callable[..., SandboxUser]
) -> None:
    owner = make_user(lang="en", organizer=True)
    token = await invite(owner, "➕ Reviewer")
    clock.advance(timedelta(hours=48, minutes=1))
    late = make_user(lang="kk")
    await late.command("/start", f"join_{token}")
    await late.expect("мерзімі өтті")
    await late.command("/status")
    await late.expect("ұйымдастырушыларына")

    stranger = make_user(lang="en")
    await stranger.command("/start", "join_notARealToken123")
    await stranger.expect("This invitation link is not valid")
    await stranger.command("/start", "join_x")
    await stranger.expect("This invitation link is not valid")

    fresh = await invite(owner, "➕ Organizer")
    await owner.command("/start", f"join_{fresh}")
    await owner.expect("You are an owner of this bot already")


async def test_scoped_invitation_checks_the_programme(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    owner = make_user(lang="en", organizer=True)
    session = bot_app.bot_data["services"].content.sessions[0]
    await owner.command("/team", f"invite moderator {session.id} no-such-session")
    await owner.expect("The programme has no such ids: no-such-session")
    await owner.command("/team", f"invite moderator {session.id}")
    message = await owner.expect(LINK)
    assert session.title.get("en") in message.text
    match = LINK.search(message.text)
    assert match is not None
    person = make_user(lang="en")
    await person.command("/start", f"join_{match.group(1)}")
    await person.expect("Your role: Moderator; sessions: " + session.title.get("en"))
    roles = bot_app.bot_data["services"].roles
    assert roles.has(person.id, Role.MODERATOR, session=session.id)
    assert not roles.has(person.id, Role.MODERATOR, session="another")
