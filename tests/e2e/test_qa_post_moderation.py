"""Q&A in post-moderation mode (from the content file) and a moderator's reply after the session.

Questions appear at once; the moderator hides one and marks another answered; after the session
the moderator replies, and the reply reaches the asker in their language through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.sandbox import SandboxServer
from bot.sandbox.harness import SandboxUser, sandbox_settings
from bot.services.hall import hall_model
from tests.e2e.test_qa import ALMATY, DURING, SESSION, decide, moderator, questions_in, tr


@pytest.fixture
def clock() -> Clock:
    return Clock(DURING, frozen=True)


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path, content_file: Path) -> Any:
    """The sample forum switched to post-moderation for the whole forum."""
    text = content_file.read_text(encoding="utf-8")
    content_file.write_text(
        text.replace("\nforum:\n", "\nforum:\n  qa_moderation: post\n", 1), encoding="utf-8"
    )
    return sandbox_settings(
        sandbox, tmp_path / "bot.db", flood_limit=500, forum_content=content_file
    )


async def ask_at_once(user: SandboxUser, t: Any, text: str, *, named: bool) -> None:
    await user.command("/start", f"ask_{SESSION}")
    await user.expect(lambda m: t._("✖ Cancel") in m.buttons)
    await user.send(text)
    choice = await user.expect(lambda m: t._("🕶 Anonymously") in m.buttons)
    await user.press(t._("👤 With my name") if named else t._("🕶 Anonymously"), message=choice)
    await user.expect(t._("Your question is published. Others can now vote for it."))


async def test_post_moderation_hide_answer_and_reply_after_the_session(
    bot_app: Any, make_user: Callable[..., SandboxUser], clock: Clock
) -> None:
    services = bot_app.bot_data["services"]
    assert services.content.forum.qa_moderation == "post"
    kk_t, ru_t, en_t = (tr(bot_app, lang) for lang in ("kk", "ru", "en"))
    mod = await moderator(make_user)
    aigerim, maria, alex = make_user("kk"), make_user("ru"), make_user("en")

    hidden = "Бұл сұрақ жасырылады"
    await ask_at_once(aigerim, kk_t, hidden, named=False)
    await maria.command("/now")
    await maria.expect("⏱")
    await maria.press(ru_t._("📋 Questions"))
    listing = await maria.expect(hidden)  # shown at once, before any moderator looked
    assert hidden in questions_in(listing)[0]

    card = await decide(mod, hidden, en_t._("🙈 Hide"))
    assert en_t._("hidden") in card.text
    await maria.press(ru_t._("🔄 Refresh"), message=listing)
    refreshed = await maria.expect(ru_t._("No questions yet. Be the first to ask!"))
    assert hidden not in refreshed.text
    model = await hall_model(services, SESSION, "ru")
    assert model is not None and model["questions"] == []

    answered = "Will the recommendations be published?"
    await ask_at_once(alex, en_t, answered, named=True)
    await decide(mod, answered, en_t._("✔ Answered"))

    # After the session: asking gets a polite answer; the moderator replies.
    clock.set(datetime(2018, 11, 14, 11, 45, tzinfo=ALMATY), frozen=True)
    await aigerim.command("/start", f"ask_{SESSION}")
    await aigerim.expect("/propose")
    await mod.command("/moderate")
    overview = await mod.expect(en_t._("over: you can reply to questions"))
    await mod.press(services.content.session(SESSION).title.get("en")[:20], message=overview)
    desk = await mod.expect(lambda m: answered in m.text and bool(m.buttons))
    await mod.press(en_t._("💬 Reply to the asker"), message=desk)
    await mod.expect(lambda m: en_t._("✖ Cancel") in m.buttons)
    await mod.send("Yes: on the forum's website within a week.")
    await mod.expect(en_t._("Your reply is on its way to the asker."))
    reply = await alex.expect("on the forum's website within a week")
    assert answered in reply.text
    assert reply.text.startswith("💬")
