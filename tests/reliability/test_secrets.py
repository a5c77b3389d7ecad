"""The bot token never appears in the bot's output, even at LOG_LEVEL=DEBUG and on errors."""

from __future__ import annotations

from bot.sandbox.harness import BotProcess, new_user
from bot.sandbox.world import Fault


async def test_token_never_logged_at_debug(sandbox, tmp_path):
    process = BotProcess(
        sandbox, tmp_path / "bot.db", log_path=tmp_path / "bot.log", env={"LOG_LEVEL": "DEBUG"}
    )
    try:
        await process.start()
        user = new_user(sandbox.world, "en")
        await user.command("/start")
        await user.expect()
        sandbox.world.add_fault(Fault("sendMessage", count=1, status=500))
        sandbox.world.add_fault(Fault("getUpdates", count=1, status=502))
        await user.command("/help")
        await user.command("/language")
        await user.expect("Choose your language")
        await user.press("🇷🇺 Русский")
        await user.expect("Готово")  # the new menu, in Russian
        await user.command("/results")
        await user.expect()
    finally:
        await process.stop()
    log = (tmp_path / "bot.log").read_text(errors="replace")
    assert "DEBUG" in log  # it did log at DEBUG
    token = sandbox.world.token
    secret = token.split(":", 1)[1]
    assert token not in log
    assert secret not in log
