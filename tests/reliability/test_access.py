"""Every privileged command and button, tried by every role and by nobody in particular.

Organizer commands and buttons are refused (with the localized answer) to people without a role,
to moderators and to reviewers, and their command menus do not show them; organizers given the
role in /team and owners (ADMIN_IDS) are let through.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.commands import COMMANDS
from bot.sandbox.harness import sandbox_settings
from bot.services import team
from bot.services.roles import Role

REFUSED = "only for the forum's organizers"
ORGANIZER_COMMANDS = [c.name for c in COMMANDS if c.organizer]
# Callback prefixes of organizer-only features (see the briefing's contracts).
ORGANIZER_PREFIXES = {
    "prv": "handlers/review.py",
    "bc": "handlers/broadcast.py",
    "res": "handlers/results.py",
}
ROOT = Path(__file__).resolve().parents[2]
NOT_ORGANIZERS = [None, Role.MODERATOR, Role.REVIEWER]
ORGANIZERS = [Role.ORGANIZER, Role.OWNER]


@pytest.fixture
def bot_settings(sandbox: Any, tmp_path: Path) -> Any:
    """The bot, with a flood guard that lets one person press every button in a row."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=1000)


def organizer_buttons() -> list[str]:
    """``prefix:action:1`` for every action the organizer handlers build buttons for."""
    found = set()
    for prefix, module in ORGANIZER_PREFIXES.items():
        path = ROOT / module
        if not path.exists():
            continue
        source = path.read_text(encoding="utf-8")
        actions = set(re.findall(r"""make\(\s*FEATURE\s*,\s*["']([\w-]+)["']""", source))
        actions |= set(re.findall(rf"""["']{prefix}:([\w-]+)""", source))
        found |= {f"{prefix}:{a}:1" for a in actions} | {f"{prefix}:{a}" for a in actions}
    found |= {f"{team.FEATURE}:{a}:1" for a in team.ACTIONS}
    found |= {f"{team.FEATURE}:{a}" for a in team.ACTIONS}
    return sorted(found)


async def person(bot_app: Any, make_user: Any, role: Role | None) -> Any:
    """A user with ``role`` (owners come from ADMIN_IDS, the others are granted in the DB)."""
    user = make_user(lang="en", organizer=role is Role.OWNER)
    if role not in (None, Role.OWNER):
        await bot_app.bot_data["services"].roles.grant(user.id, role)
    return user


def test_there_is_something_to_refuse():
    assert len(ORGANIZER_COMMANDS) >= 6
    assert "team" in ORGANIZER_COMMANDS and "status" in ORGANIZER_COMMANDS
    assert organizer_buttons(), "no organizer buttons found in the handlers"


@pytest.mark.parametrize("role", NOT_ORGANIZERS, ids=lambda r: str(r or "nobody"))
async def test_organizer_commands_refused(bot_app, make_user, role):
    user = await person(bot_app, make_user, role)
    for command in ORGANIZER_COMMANDS:
        await user.command(f"/{command}")
        await user.expect(REFUSED)
    # The other organizer action: a new content file sent as a document.
    await user.send_document(b"forum: {}\n", "forum.yaml")
    await user.expect(REFUSED)


@pytest.mark.parametrize("role", NOT_ORGANIZERS, ids=lambda r: str(r or "nobody"))
async def test_organizer_buttons_refused(bot_app, make_user, sandbox, role):
    user = await person(bot_app, make_user, role)
    await user.command("/help")
    message = await user.expect()
    for data in organizer_buttons():
        await user.press_data(message, data)
        answer = await user.expect_answer()
        assert REFUSED in str(answer.get("text")), (data, answer)
    # The organizer's own command list is not shown to them either.
    shown = {c["command"] for c in sandbox.world.resolve_commands(user.id)}
    assert not shown & set(ORGANIZER_COMMANDS)
    assert "agenda" in shown


@pytest.mark.parametrize("role", ORGANIZERS, ids=str)
async def test_organizer_commands_and_buttons_allowed(bot_app, make_user, sandbox, role):
    user = await person(bot_app, make_user, role)
    shown = {c["command"] for c in sandbox.world.resolve_commands(user.id)}
    assert set(ORGANIZER_COMMANDS) <= shown
    for command in ORGANIZER_COMMANDS:
        await user.command(f"/{command}")
        reply = await user.expect()
        assert REFUSED not in reply.text, command
        await user.command("/cancel")  # leave a dialog the command may have opened
        await user.expect()
    await user.command("/help")
    message = await user.expect()
    for data in organizer_buttons():
        await user.press_data(message, data)
        answer = await user.expect_answer()
        assert REFUSED not in str(answer.get("text")), (data, answer)
