"""One source of truth about a person: what the bot knows of their language and blocked state
is the stored record, whoever wrote it (the sender, the prelude, /language, /deleteme).

Before, an in-memory copy (``Services.users``) disagreed with the database: a person who
unblocked the bot and wrote again within a minute stayed blocked, and after a restart a running
broadcast reported in the default language.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.sandbox.harness import SandboxServer, sandbox_settings
from storage.outbox import stamp
from tests.e2e.test_broadcast import compose, known, received


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    return sandbox_settings(sandbox, tmp_path / "bot.db", delivery_tick_seconds=0.2)


async def test_unblocked_person_who_writes_again_gets_the_next_broadcast(
    sandbox: SandboxServer, bot_app: Any, make_user: Any
) -> None:
    org = make_user(organizer=True)
    reader = make_user(lang="en")
    await known(bot_app, reader, "en")
    await reader.command("/help")
    await reader.expect()
    reader.block()
    await compose(org, ["👥 Everyone"], "First news")
    await org.press("📤 Send now")
    report = await org.expect("finished", timeout=20)
    assert "Blocked the bot: 1" in report.text  # the sender marked the block
    reader.unblock()
    await reader.command("/help")  # within the minute in which last_seen is not refreshed
    await reader.expect()
    users = bot_app.bot_data["services"].repos.users
    assert not (await users.get(reader.id)).blocked
    await compose(org, ["👥 Everyone"], "Second news")
    await org.press("📤 Send now")
    second = await org.expect("finished", timeout=20)
    assert "Blocked the bot: 0" in second.text
    await reader.expect("Second news")
    assert received(reader, "First news") == 0


async def test_running_broadcast_reports_in_the_organizers_stored_language(
    sandbox: SandboxServer, bot_app: Any, make_user: Any
) -> None:
    """As after a restart: the organizer has not written to this bot process at all."""
    services = bot_app.bot_data["services"]
    org = make_user(lang="en", organizer=True)  # Telegram says English; they chose Kazakh
    await known(bot_app, org, "kk")
    reader = make_user(lang="ru")
    await known(bot_app, reader, "ru")
    async with services.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO broadcasts (created_by, created_at, state, audience, texts, scheduled_at)"
            " VALUES (?, '2000-01-01T00:00:00.000000Z', 'scheduled', ?, ?,"
            " '2000-01-01T00:00:00.000000Z')",
            (org.id, json.dumps({"kind": "all"}), json.dumps({"*": "Scheduled news"})),
        )
    await reader.expect("Scheduled news", timeout=20)
    report = await org.expect("тарату аяқталды", timeout=20)
    assert "Жіберілді" in report.text


async def test_language_chosen_with_slash_language_is_what_the_broadcast_report_uses(
    sandbox: SandboxServer, bot_app: Any, make_user: Any, clock: Clock
) -> None:
    services = bot_app.bot_data["services"]
    org = make_user(lang="en", organizer=True)
    await known(bot_app, org, "en")
    when = stamp(clock.now() + timedelta(hours=1))
    async with services.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO broadcasts (created_by, created_at, state, audience, texts, scheduled_at)"
            " VALUES (?, ?, 'scheduled', ?, ?, ?)",
            (org.id, when, json.dumps({"kind": "all"}), json.dumps({"*": "Later news"}), when),
        )
    await org.command("/language")
    await org.expect("Choose your language")
    await org.press("🇷🇺 Русский")
    await org.expect("Готово")  # the new menu, in Russian (the choice is in the answer)
    clock.advance(timedelta(hours=2))
    report = await org.expect("Рассылка №1 завершена", timeout=20)
    assert "Отправлено" in report.text


async def test_erased_person_is_not_in_the_next_broadcast(
    sandbox: SandboxServer, bot_app: Any, make_user: Any
) -> None:
    org = make_user(organizer=True)
    reader = make_user(lang="en")
    await known(bot_app, reader, "en")
    await reader.command("/deleteme")
    await reader.expect("Erase all your data?")
    await reader.press("Yes")
    await reader.expect("Your data has been erased.")
    await compose(org, ["👥 Everyone"], "After erasure")
    await org.press("📤 Send now")
    report = await org.expect("finished", timeout=20)
    assert "Sent: 1" in report.text  # the organizer only
    assert received(reader, "After erasure") == 0
