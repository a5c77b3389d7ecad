"""Webhook mode: only Telegram's secret header gets an update in; the secret is kept; going
back to polling deletes the webhook. (The conversations themselves run in both modes: see the
``both_update_modes`` mark in test_onboarding, test_agenda and test_proposals.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.clock import Clock
from bot.sandbox.harness import (
    SandboxServer,
    SandboxUser,
    sandbox_settings,
    start_bot,
    stop_bot,
    webhook_settings,
)
from bot.web.webhook import SECRET_HEADER


def forged_start(user: SandboxUser) -> dict[str, Any]:
    """A well-formed update, as if the user had sent /start."""
    person = {"id": user.id, "is_bot": False, "first_name": "Alex", "language_code": "en"}
    return {
        "update_id": 999_999_001,
        "message": {
            "message_id": 999_001,
            "date": 1_700_000_000,
            "chat": {"id": user.id, "type": "private", "first_name": "Alex"},
            "from": person,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.mark.parametrize("update_mode", ["webhook"], indirect=True)
async def test_without_the_secret_header_403_and_not_processed(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    webhook = bot_app.bot_data["services"].webhook
    user = make_user(lang="en")
    url = bot_app.bot_data["services"].settings.webhook_url
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: webhook.secret + "x"}):
            async with session.post(url, json=forged_start(user), headers=headers) as response:
                assert response.status == 403
    assert webhook.rejected == 3
    # A real update after them is answered; had a forged /start been taken, its greeting would
    # have come first (one user's updates are handled in order).
    await user.command("/help")
    await user.expect("Here is what I can do")
    assert not any("Welcome" in m.text for m in user.messages)


async def test_secret_kept_and_back_to_polling_deletes_the_webhook(
    sandbox: SandboxServer, tmp_path: Path, make_user: Callable[..., SandboxUser]
) -> None:
    settings = webhook_settings(sandbox_settings(sandbox, tmp_path / "bot.db"))
    secrets = []
    for _ in range(2):
        application = await start_bot(sandbox, settings, Clock())
        secrets.append(application.bot_data["services"].webhook.secret)
        user = make_user(lang="en")
        await user.command("/help")
        await user.expect("Here is what I can do")
        await stop_bot(sandbox, application)
        assert sandbox.world.webhook["url"] == settings.webhook_url
    assert secrets[0] == secrets[1] and len(secrets[0]) >= 32
    assert sandbox.world.poll_count == 0

    polling = sandbox_settings(sandbox, tmp_path / "bot.db")
    application = await start_bot(sandbox, polling, Clock())
    try:
        assert sandbox.world.webhook["url"] == ""
        assert any(call["method"] == "deleteWebhook" for call in sandbox.world.calls)
        user = make_user(lang="en")
        await user.command("/help")
        await user.expect("Here is what I can do")
    finally:
        await stop_bot(sandbox, application)
