"""SIGTERM (systemd's stop) in the middle of a broadcast: the bot finishes the sends in flight,
records them, and exits 0; started again it sends the rest with not one duplicate."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.sandbox.harness import BotProcess, SandboxServer, free_port
from tests.e2e.broadcasts import copies, seed_broadcast, wait_delivered

RECIPIENTS = 1500
TEXT = "Orderly stop"


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_sigterm_mid_broadcast_loses_and_repeats_nothing(
    sandbox: SandboxServer, tmp_path: Path, mode: str
) -> None:
    db_path = tmp_path / "bot.db"
    env = {"OUTBOX_RATE": "0", "DELIVERY_TICK_SECONDS": "0.2", "OUTBOX_CONCURRENCY": "32"}
    if mode == "webhook":
        port = free_port()
        env |= {"WEB_PORT": str(port), "WEBHOOK_URL": f"http://127.0.0.1:{port}/tg"}
    bot = BotProcess(sandbox, db_path, log_path=tmp_path / "bot.log", env=env)
    try:
        await bot.start()
        await bot.kill()
        ids = seed_broadcast(sandbox, db_path, RECIPIENTS, TEXT)
        await bot.start()
        await wait_delivered(sandbox, ids, TEXT, RECIPIENTS // 3, bot)
        assert await bot.stop() == 0, bot.log_tail()
        delivered = {uid for uid, n in copies(sandbox, ids, TEXT).items() if n}
        with sqlite3.connect(db_path) as conn:
            states = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
            sent = {r[0] for r in conn.execute("SELECT user_id FROM outbox WHERE state='sent'")}
        assert "sending" not in states, states  # nothing left in flight
        assert sent == delivered  # every message that went out is recorded, and only those
        assert len(delivered) < RECIPIENTS, "the stop came too late to test anything"

        await bot.start()
        await wait_delivered(sandbox, ids, TEXT, RECIPIENTS, bot)
        assert await bot.stop() == 0, bot.log_tail()
    finally:
        await bot.kill()
    counts = copies(sandbox, ids, TEXT)
    assert set(counts.values()) == {1}, "a SIGTERM must cost no duplicate and no loss"
