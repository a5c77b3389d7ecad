"""A leaner update path, seen from the chat: the language button costs two Bot API calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.sandbox.harness import SandboxUser
from tests.e2e.test_onboarding import BUTTON, tr

COUNTED = ("sendMessage", "editMessageText", "answerCallbackQuery")


async def test_language_button_answers_with_two_calls(
    bot_app: Any, sandbox: Any, make_user: Callable[..., SandboxUser]
) -> None:
    user = make_user(lang="en")
    await user.command("/language")
    await user.expect(tr(bot_app, "en")._("Choose your language:"))
    counts = sandbox.world.method_counts
    before = {m: counts.get(m, 0) for m in COUNTED}
    await user.press(BUTTON["kk"])
    answer = await user.expect_answer()
    assert answer["text"] == tr(bot_app, "kk")._("Language: {language}").format(
        language=BUTTON["kk"]
    )
    done = await user.expect(tr(bot_app, "kk")._("Done. The menu is now in your language."))
    assert tr(bot_app, "kk")._("❓ Help") in done.reply_keyboard
    calls = {m: counts.get(m, 0) - before[m] for m in COUNTED}
    assert calls == {"sendMessage": 1, "editMessageText": 0, "answerCallbackQuery": 1}
