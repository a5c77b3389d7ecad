"""Every organizer command and button, tried by a non-organizer, is refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.commands import COMMANDS
from bot.sandbox.harness import SandboxServer, sandbox_settings

REFUSED = "only for the forum's organizers"
ORGANIZER_COMMANDS = [c.name for c in COMMANDS if c.organizer]
# Callback prefixes of organizer-only features (see the briefing's contracts).
ORGANIZER_PREFIXES = {
    "prv": ("handlers/review.py", "bot/services/review.py"),
    "bc": ("handlers/broadcast.py", "bot/services/broadcast_composer.py"),
    "res": ("handlers/results.py",),
}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """The forged presses come faster than any person's: lift the flood guard."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=500)


def organizer_buttons() -> list[str]:
    """``prefix:action:1`` for every action the organizer handlers and flows know."""
    found = set()
    for prefix, modules in ORGANIZER_PREFIXES.items():
        for module in modules:
            path = ROOT / module
            if not path.exists():
                continue
            source = path.read_text(encoding="utf-8")
            actions = set(re.findall(r"""make\(\s*FEATURE\s*,\s*["']([\w-]+)["']""", source))
            actions |= set(re.findall(rf"""["']{prefix}:([\w-]+)""", source))
            # A flow's dispatch tables: ``"action": self._method`` or ``service.function``.
            table = r"""^\s*["']([\w-]+)["']: (?:self\._|service\.)"""
            actions |= set(re.findall(table, source, re.M))
            found |= {f"{prefix}:{a}:1" for a in actions} | {f"{prefix}:{a}" for a in actions}
    return sorted(found)


def test_there_is_something_to_refuse():
    assert len(ORGANIZER_COMMANDS) >= 4
    assert organizer_buttons(), "no organizer buttons found in the handlers"


@pytest.mark.parametrize("command", ORGANIZER_COMMANDS)
async def test_organizer_commands_refused(bot_app, make_user, command):
    user = make_user(lang="en")
    await user.command(f"/{command}")
    await user.expect(REFUSED)


async def test_organizer_buttons_refused(bot_app, make_user, sandbox):
    user = make_user(lang="en")
    await user.command("/help")
    message = await user.expect()
    for data in organizer_buttons():
        await user.press_data(message, data)
        answer = await user.expect_answer()
        assert REFUSED in str(answer.get("text")), (data, answer)
    # The organizer's own command list is not shown to them either.
    shown = {c["command"] for c in sandbox.world.resolve_commands(user.id)}
    assert not shown & set(ORGANIZER_COMMANDS)
