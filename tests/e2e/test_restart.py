"""The bot as a separate process: killed with SIGKILL and started again on the same database."""

from __future__ import annotations

from collections.abc import Callable

from bot.sandbox.harness import BotProcess, SandboxUser
from tests.e2e.test_onboarding import language_of


async def test_a_message_sent_while_the_bot_was_killed_is_answered_after_restart(
    bot_process: BotProcess, make_user: Callable[..., SandboxUser]
) -> None:
    user = make_user(lang="en")
    await bot_process.start()
    await user.command("/language")
    await user.expect("Choose your language:")
    await user.press("Қазақша")
    await user.expect(lambda message: language_of(message.text) == "kk")

    await bot_process.kill()  # no shutdown code runs
    assert not bot_process.running
    await user.command("/help")  # nobody is polling now

    await bot_process.start()
    reply = await user.expect("/language", timeout=30)
    assert language_of(reply.text) == "kk"  # the choice survived in the database
    assert bot_process.starts == 2
