"""SIGKILL the bot several times in the middle of a broadcast to thousands: nobody is missed,
nobody gets more than the documented one extra copy (the in-flight window)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.sandbox.harness import BotProcess, SandboxServer
from tests.e2e.broadcasts import copies, delivered, seed_broadcast
from tests.e2e.conftest import outbox_settled

RECIPIENTS = 3000
TEXT = "Crash-proof broadcast"


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
        ids = seed_broadcast(sandbox, db_path, RECIPIENTS, TEXT)
        kills = 0
        for threshold in (400, 1200, 2100):
            await bot.start()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while delivered(sandbox, ids, TEXT) < threshold:
                assert loop.time() < deadline, bot.log_tail()
                await asyncio.sleep(0.005)
            await bot.kill()
            kills += 1
        assert delivered(sandbox, ids, TEXT) < RECIPIENTS, "the kills came too late"
        await bot.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while delivered(sandbox, ids, TEXT) < RECIPIENTS:
            assert loop.time() < deadline, bot.log_tail()
            await asyncio.sleep(0.05)
        await outbox_settled(db_path)  # then stopping finishes any send in flight
        await bot.stop()
    finally:
        await bot.kill()

    counts = copies(sandbox, ids, TEXT)
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
