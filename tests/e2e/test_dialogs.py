"""Dialogs kept in their database rows: the broadcast composer's hints, an organizer removed
from ADMIN_IDS, and every kind of button press answered exactly once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.harness import SandboxServer, SandboxUser, sandbox_settings

EXPIRED = "This button has expired"


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """Test users press faster than any person: lift the flood guard."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", flood_limit=1000)


async def test_starred_audience_when_nobody_starred_shows_the_hint(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    org = make_user(lang="en", organizer=True)
    await org.command("/broadcast")
    await org.expect("Who should get it?")
    await org.press("⭐ Starred a session")
    answer = await org.expect_answer()
    assert answer.get("text") == "There is nobody to choose yet.", answer
    assert answer.get("show_alert")
    assert not [e for e in sandbox.world.errors if e.get("method") == "answerCallbackQuery"]
    # The dialog goes on from the same screen.
    await org.press("👥 Everyone")
    await org.expect("One text for everyone, or one text per language?")


async def test_organizer_removed_from_admin_ids_is_not_stuck(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    services = bot_app.bot_data["services"]
    org = make_user(lang="en", organizer=True)
    await org.command("/broadcast")
    await org.expect("Who should get it?")
    await org.press("👥 Everyone")
    await org.expect("One text for everyone")
    await org.press("One text for all")
    await org.expect("Send the text of the broadcast.")
    # The bot restarts with ADMIN_IDS no longer naming them.
    services.settings = services.settings.model_copy(update={"admin_ids": frozenset()})
    services.roles.owners = frozenset()  # owners are ADMIN_IDS (bot/services/roles.py)
    await org.send("galimova")
    found = await org.expect()
    assert "🔎" in found.text, found.text  # a search, not "only for organizers"
    await org.command("/cancel")
    reply = await org.expect()
    assert "only for the forum's organizers" not in reply.text
    assert await services.repos.broadcasts.latest_draft(org.id) is None


# ---------------------------------------------------------------------------- one answer each
async def _press(user: SandboxUser, data: str) -> dict[str, Any]:
    """Press forged or stale ``data`` on the user's latest message; its one answer."""
    message = user.last_message
    assert message is not None
    await user.press_data(message, data)
    return await user.expect_answer()


ATTENDEE_BUTTONS = [
    "ag:days", "ag:all", "ag:d:2018-11-14", "ag:d:1999-01-01", "ag:open:nope", "ag:zz",
    "ag:star:nope", "sp:l:0", "sp:l:" + "9" * 30, "sp:open:nope", "sp:zz", "my:p:0",
    "my:p:" + "9" * 30, "sv:o:nope", "sv:a:nope:0:0", "sv:zz", "rate:s:nope:5", "rate:zz",
    "rem:menu", "rem:set:10", "rem:set:7", "rem:set:" + "9" * 30, "onb:zz", "lang:zz",
    "lang:lang:xx", "priv:zz", "pr:zz", "pr:wd:" + "9" * 30, "pr:wdy:1:yes", "pr:consent:yes",
    "zz:zz", "nonsense", ":",
]  # fmt: skip
ORGANIZER_BUTTONS = [
    "prv:ls:-,-,-,0", "prv:fs:-,-,-,0", "prv:ft:-,-,-,0", "prv:fg:-,-,-,0", "prv:card:1:-,-,-,0",
    "prv:card:1:bad", "prv:dec:1:acc:-,-,-,0", "prv:dec:1:zz:-,-,-,0", "prv:cm:1", "prv:att:1",
    "prv:full:1", "prv:rel", "prv:reln", "prv:rely", "prv:rep", "prv:repl:xx", "prv:zz",
    "bc:aud:all", "bc:aud:starred", "bc:aud:zz", "bc:mode:one", "bc:btn:none", "bc:go:now",
    "bc:pause:1", "bc:resume:1", "bc:cancel:1", "bc:quit", "bc:zz", "res:zz",
]  # fmt: skip


async def test_every_kind_of_button_is_answered_exactly_once(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    attendee = make_user(lang="en")
    organizer = make_user(lang="en", organizer=True)
    for user in (attendee, organizer):
        await user.command("/start")
        await user.expect("")
    await organizer.command("/broadcast")  # a draft, so the composer's steps are live
    await organizer.expect("Who should get it?")
    presses = [(attendee, d) for d in ATTENDEE_BUTTONS] + [
        (organizer, d) for d in ORGANIZER_BUTTONS
    ]
    for user, data in presses:
        answer = await _press(user, data)
        assert "Sorry, something went wrong" not in str(answer.get("text")), (data, answer)
    world = sandbox.world
    unanswered = [c.data for c in world.callbacks.values() if not c.answered]
    assert not unanswered, unanswered
    twice = [e for e in world.errors if e.get("method") == "answerCallbackQuery"]
    assert not twice, twice
    assert len(world.callbacks) == len(presses)
