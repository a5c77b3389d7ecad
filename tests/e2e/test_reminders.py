"""Session reminders through the sandbox with a frozen clock: due while running, due while down
(before and after the session's start), changed preference, un-starred, none duplicated."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.sandbox.harness import SandboxServer, SandboxUser, sandbox_settings, start_bot, stop_bot

STARS = (
    "CREATE TABLE IF NOT EXISTS stars (user_id INTEGER NOT NULL REFERENCES users(id)"
    " ON DELETE CASCADE, session_id TEXT NOT NULL, starred_at TEXT NOT NULL,"
    " PRIMARY KEY (user_id, session_id))"
)


async def setup_user(app: Any, user: SandboxUser, stars: list[str]) -> None:
    services = app.bot_data["services"]
    await services.repos.users.upsert_seen(
        user.id, first_name="T", last_name=None, username=None,
        language_code=user.language_code, now=services.clock.now(),
    )  # fmt: skip
    async with services.db.transaction() as conn:
        await conn.execute(STARS)
        for session_id in stars:
            await conn.execute(
                "INSERT INTO stars (user_id, session_id, starred_at) VALUES (?, ?, 'x')",
                (user.id, session_id),
            )


def reminders_of(user: SandboxUser) -> list[str]:
    return [m.text for m in user.messages if m.text.startswith("⏰") and "\n\n" not in m.text]


async def settle() -> None:
    await asyncio.sleep(0.8)  # a few delivery checks (every 0.2 s) and sends


async def test_reminders(sandbox: SandboxServer, tmp_path: Path, make_user: Any) -> None:
    settings = sandbox_settings(sandbox, tmp_path / "bot.db", delivery_tick_seconds=0.2)
    clock = Clock()
    app = await start_bot(sandbox, settings, clock)
    content = app.bot_data["services"].content
    talks = [s for s in content.sessions if s.kind not in ("break", "registration")]
    first, later, last = talks[0], talks[len(talks) // 2], talks[-1]
    assert first.starts_utc + timedelta(hours=1) < later.starts_utc < last.starts_utc
    clock.set(first.starts_utc - timedelta(minutes=20), frozen=True)

    ru, kk, fickle, quiet = (make_user(lang=x) for x in ("ru", "kk", "en", "en"))
    try:
        await setup_user(app, ru, [first.id, later.id, last.id])
        await setup_user(app, kk, [first.id])
        await setup_user(app, fickle, [first.id])
        await setup_user(app, quiet, [first.id])
        # kk chooses 5 minutes; "quiet" turns reminders off; "fickle" un-stars the session.
        await kk.command("/reminders")
        await kk.expect("10")
        await kk.press("5 минут")
        await kk.expect("5 минут")
        await quiet.command("/reminders")
        await quiet.expect("10 minutes")
        await quiet.press("Off")
        await quiet.expect("Reminders are off")
        async with app.bot_data["services"].db.transaction() as conn:
            await conn.execute("DELETE FROM stars WHERE user_id = ?", (fickle.id,))

        # Due while running: 10 minutes before (ru), then 5 minutes before (kk).
        clock.advance(timedelta(minutes=10))
        reminder = await ru.expect("⏰")
        assert "Через 10 минут" in reminder.text
        assert first.room.get("ru") in reminder.text
        await settle()
        assert reminders_of(kk) == []
        clock.advance(timedelta(minutes=5))
        reminder = await kk.expect("⏰")
        assert "5 минуттан кейін" in reminder.text
        assert first.title.get("kk") in reminder.text

        # A restart does not send anything twice.
        await stop_bot(sandbox, app)
        app = await start_bot(sandbox, settings, clock)
        await settle()
        assert len(reminders_of(ru)) == 1
        assert len(reminders_of(kk)) == 1
        assert reminders_of(fickle) == []
        assert reminders_of(quiet) == []

        # Down while two reminders come due: one session has not begun, the other has.
        await stop_bot(sandbox, app)
        clock.set(later.starts_utc - timedelta(minutes=3), frozen=True)
        app = await start_bot(sandbox, settings, clock)
        reminder = await ru.expect(later.title.get("ru"))
        assert "Через 3 минуты" in reminder.text
        await stop_bot(sandbox, app)
        clock.set(last.starts_utc + timedelta(minutes=1), frozen=True)
        app = await start_bot(sandbox, settings, clock)
        await settle()
        assert not [t for t in reminders_of(ru) if last.title.get("ru") in t]
        outbox = app.bot_data["services"].repos.outbox
        skipped = await outbox.db.fetchval(
            "SELECT state FROM outbox WHERE dedup_key = ?", (f"reminder:{last.id}:{ru.id}",)
        )
        assert skipped == "skipped"
        assert len(reminders_of(ru)) == 2
    finally:
        await stop_bot(sandbox, app)
