"""The moderator's and the reviewer's commands and buttons, tried by every other role.

test_access.py covers what only organizers may do; this covers the two scoped roles: /moderate
and the Q&A moderation and poll buttons belong to a session's moderators (and organizers), /review
and the ``rv:`` buttons to reviewers. Everyone else gets the localized refusal, nothing changes,
and their command menu does not offer what they may not do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.clock import Clock
from bot.sandbox.harness import SandboxServer, SandboxUser
from bot.services.roles import Role
from tests.e2e.test_qa import SESSION, ask, bot_settings, clock, tr  # noqa: F401

MODERATION = ("a", "r", "d", "n", "h", "p")  # approve, reject, answered, now, hide, reply
POLL_TOOLS = (f"pc:{SESSION}:0", f"pn:{SESSION}")  # start a poll from the file, type one
# Every button of the reviewer's screens (bot/services/reviewing.py): next, no organization, open,
# others' reviews, score, comment for organizers / authors, flag, conflict, abstain, submit.
REVIEW_ACTIONS = ("n", "org0", "op", "o", "s", "c", "a", "f", "x", "ab", "ok")


def menu(sandbox: SandboxServer, user: SandboxUser) -> set[str]:
    return {c["command"] for c in sandbox.world.resolve_commands(user.id)}


async def person(bot_app: Any, make_user: Callable[..., SandboxUser], role: Role | None) -> Any:
    user = make_user("en")
    await user.command("/start")
    await user.expect("")
    if role is not None:
        await bot_app.bot_data["services"].roles.grant(user.id, role)
    return user


@pytest.mark.parametrize("role", [None, Role.REVIEWER], ids=lambda r: str(r or "nobody"))
async def test_moderation_refused_to_who_moderates_nothing(
    bot_app: Any,
    sandbox: SandboxServer,
    make_user: Callable[..., SandboxUser],
    clock: Clock,  # noqa: F811
    role: Role | None,
) -> None:
    services = bot_app.bot_data["services"]
    en = tr(bot_app, "en")
    asker = make_user("en")
    await ask(bot_app, clock, asker, "en", "Who funds the regional councils?", named=False)
    question = await services.db.fetchone(
        "SELECT id, status FROM qa_questions ORDER BY id DESC LIMIT 1"
    )
    user = await person(bot_app, make_user, role)
    assert "moderate" not in menu(sandbox, user)

    await user.command("/moderate")
    await user.expect(en._("This is only for the forum's moderators."))
    for action in MODERATION:
        await user.press_data(user.last_message, f"qa:m:{action}:{question[0]}")
        answer = await user.expect_answer()
        assert answer["text"] == en._("Only this session's moderators can do this."), action
    for data in POLL_TOOLS:
        await user.press_data(user.last_message, f"qa:{data}")
        answer = await user.expect_answer()
        assert answer["text"] == en._("Only this session's moderators can do this."), data
    after = await services.db.fetchone(
        "SELECT status FROM qa_questions WHERE id = ?", (question[0],)
    )
    assert after[0] == question[1]  # nothing was decided
    assert await services.db.fetchval("SELECT COUNT(*) FROM qa_polls") == 0


@pytest.mark.parametrize("role", [None, Role.MODERATOR], ids=lambda r: str(r or "nobody"))
async def test_review_refused_to_who_reviews_nothing(
    bot_app: Any,
    sandbox: SandboxServer,
    make_user: Callable[..., SandboxUser],
    role: Role | None,
) -> None:
    en = tr(bot_app, "en")
    refused = en._("This is only for the forum's reviewers.")
    user = await person(bot_app, make_user, role)
    assert "review" not in menu(sandbox, user)
    await user.command("/review")
    await user.expect(refused)
    for action in REVIEW_ACTIONS:
        for data in (f"rv:{action}", f"rv:{action}:1", f"rv:{action}:1:0:3"):
            await user.press_data(user.last_message, data)
            answer = await user.expect_answer()
            assert answer["text"] == refused, data


async def test_each_role_sees_its_own_command(
    bot_app: Any, sandbox: SandboxServer, make_user: Callable[..., SandboxUser]
) -> None:
    moderator = await person(bot_app, make_user, Role.MODERATOR)
    reviewer = await person(bot_app, make_user, Role.REVIEWER)
    assert "moderate" in menu(sandbox, moderator) and "review" not in menu(sandbox, moderator)
    assert "review" in menu(sandbox, reviewer) and "moderate" not in menu(sandbox, reviewer)
    await moderator.command("/moderate")
    overview = await moderator.expect()
    assert "only for the forum's" not in overview.text
