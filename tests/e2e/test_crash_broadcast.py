"""SIGKILL the bot several times in the middle of a broadcast to thousands: nobody is missed,
nobody gets more than the documented one extra copy (the in-flight window)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from bot.sandbox.harness import BotProcess, SandboxServer
from tests.e2e.conftest import outbox_settled

RECIPIENTS = 3000
TEXT = "Crash-proof broadcast"


def copies(sandbox: SandboxServer, user_ids: list[int]) -> dict[int, int]:
    return {
        uid: sum(1 for m in sandbox.world.history(uid) if m.outgoing and m.data.get("text") == TEXT)
        for uid in user_ids
    }


def delivered(sandbox: SandboxServer, user_ids: list[int]) -> int:
    return sum(1 for n in copies(sandbox, user_ids).values() if n)


async def test_sigkill_mid_broadcast(sandbox: SandboxServer, tmp_path: Path) -> None:
    db_path = tmp_path / "bot.db"
    bot = BotProcess(
        sandbox,
        db_path,
        log_path=tmp_path / "bot.log",
        env={"OUTBOX_RATE": "0", "DELIVERY_TICK_SECONDS": "0.2", "OUTBOX_CONCURRENCY": "32"},
    )
    try:
        await bot.start()  # creates the database
        await bot.kill()
        world = sandbox.world
        organizer = world.add_user("Org", organizer=True)
        users = [world.add_user(f"U{i}", language_code="ru") for i in range(RECIPIENTS)]
        ids = [u.id for u in users]
        with sqlite3.connect(db_path) as conn:
            conn.executemany(
                "INSERT INTO users (id, first_name, language, first_seen, last_seen, blocked)"
                " VALUES (?, 'U', 'ru', 'x', 'x', 0)",
                [(uid,) for uid in ids],
            )
            conn.execute(
                "INSERT INTO broadcasts (created_by, created_at, state, texts, scheduled_at)"
                " VALUES (?, '2000-01-01T00:00:00.000000Z', 'scheduled', ?,"
                " '2000-01-01T00:00:00.000000Z')",
                (organizer.id, json.dumps({"*": TEXT})),
            )
        kills = 0
        for threshold in (400, 1200, 2100):
            await bot.start()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while delivered(sandbox, ids) < threshold:
                assert loop.time() < deadline, bot.log_tail()
                await asyncio.sleep(0.005)
            await bot.kill()
            kills += 1
        assert delivered(sandbox, ids) < RECIPIENTS, "the kills came too late to test anything"
        await bot.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while delivered(sandbox, ids) < RECIPIENTS:
            assert loop.time() < deadline, bot.log_tail()
            await asyncio.sleep(0.05)
        await outbox_settled(db_path)  # then stopping finishes any send in flight
        await bot.stop()
    finally:
        await bot.kill()

    counts = copies(sandbox, ids)
    missing = [uid for uid, n in counts.items() if n == 0]
    extra = [uid for uid, n in counts.items() if n > 1]
    assert missing == []
    assert all(n <= 2 for n in counts.values())
    # The in-flight window: at most OUTBOX_CONCURRENCY (32) rows are in "sending" at a kill.
    assert len(extra) <= kills * 32, len(extra)
    with sqlite3.connect(db_path) as conn:
        states = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    assert states == {"sent": RECIPIENTS}
    print(
        f"\n{RECIPIENTS} recipients, {kills} SIGKILLs: {len(extra)} got one extra copy, 0 missing"
    )
