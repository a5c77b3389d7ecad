"""Dialogs kept in their database rows: the broadcast composer's hints, an organizer removed
from ADMIN_IDS, every kind of button press answered exactly once, and a pressed message that
vanished replaced by a new one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.harness import SandboxServer, SandboxUser, sandbox_settings
from bot.sandbox.world import Fault

EXPIRED = "This button has expired"
VANISHED = "Bad Request: message to edit not found"


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
    services.roles.owners = frozenset()  # the roles service reads ADMIN_IDS at start-up
    await org.send("galimova")
    found = await org.expect()
    assert "🔎" in found.text, found.text  # a search, not "only for organizers"
    await org.command("/cancel")
    reply = await org.expect()
    assert "only for the forum's organizers" not in reply.text
    assert await services.repos.broadcasts.latest_draft(org.id) is None


def _answered_once(sandbox: SandboxServer) -> None:
    """Every button press got exactly one answer."""
    world = sandbox.world
    unanswered = [c.data for c in world.callbacks.values() if not c.answered]
    assert not unanswered, unanswered
    twice = [e for e in world.errors if e.get("method") == "answerCallbackQuery"]
    assert not twice, twice


async def test_a_vanished_message_is_replaced_on_the_board_and_the_team(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    """Telegram cannot edit the message a board or team button is on (deleted, too old): the
    screen comes as a new message and the press is answered once."""
    organizer = make_user(lang="en", organizer=True)

    await organizer.command("/board")
    board = await organizer.expect("Review board")
    sandbox.world.add_fault(Fault("editMessageText", count=1, status=400, description=VANISHED))
    await organizer.press("🏆 Ranking", message=board)
    ranking = await organizer.expect("Ranking by weighted mean score")
    assert ranking.message_id != board.message_id
    assert not (await organizer.expect_answer()).get("text")

    await organizer.command("/team")
    team = await organizer.expect("The forum's team")
    sandbox.world.add_fault(Fault("editMessageText", count=1, status=400, description=VANISHED))
    await organizer.press_data(team, "team:list")
    again = await organizer.expect("The forum's team")
    assert again.message_id != team.message_id
    await organizer.expect_answer()

    assert not sandbox.world.faults, "both edits were tried"
    _answered_once(sandbox)
    assert len(sandbox.world.callbacks) == 2


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
    # Organizer, reviewer and author buttons pressed by an attendee; the live Q&A's.
    "team:list", "team:m:1", "bd:h", "bd:ls:-:0", "rv:n", "rv:op:1", "en:go", "en:v:1:s",
    "en:c:" + "9" * 30, "rs:e:1", "rs:ok:" + "9" * 30, "rs:zz", "qa:zz", "qa:x",
    "qa:ask:nope", "qa:list:nope:0", "qa:v:" + "9" * 30 + ":0:1",
]  # fmt: skip
ORGANIZER_BUTTONS = [
    "prv:ls:-,-,-,0", "prv:fs:-,-,-,0", "prv:ft:-,-,-,0", "prv:fg:-,-,-,0", "prv:card:1:-,-,-,0",
    "prv:card:1:bad", "prv:dec:1:acc:-,-,-,0", "prv:dec:1:zz:-,-,-,0", "prv:cm:1", "prv:att:1",
    "prv:full:1", "prv:rel", "prv:reln", "prv:rely", "prv:rep", "prv:repl:xx", "prv:zz",
    "bc:aud:all", "bc:aud:starred", "bc:aud:zz", "bc:mode:one", "bc:btn:none", "bc:go:now",
    "bc:pause:1", "bc:resume:1", "bc:cancel:1", "bc:quit", "bc:zz", "res:zz",
    "team:list", "team:m:" + "9" * 30, "team:m:1", "team:set:1:x", "team:inv:q", "team:zz",
    "bd:h", "bd:ls:-:0", "bd:ls:zz:0", "bd:ls:-:" + "9" * 30, "bd:cd:" + "9" * 30, "bd:cd:1",
    "bd:fm:q", "bd:d:1:a", "bd:fl:1:0", "bd:ac:1", "bd:rx:1:zz", "bd:rln", "bd:docl:xx",
    "bd:x:zz", "bd:h:extra", "bd:zz", "rv:op:" + "9" * 30, "rv:s:1:0:5", "rv:ok", "rv:zz",
    "en:v:1:q", "en:zz", "rs:e:1",
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
