"""SIGTERM (systemd's stop) in the middle of a broadcast: the bot finishes the sends in flight,
records them, and exits 0; started again it sends the rest with not one duplicate."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from bot.sandbox.harness import BotProcess, SandboxServer, free_port

RECIPIENTS = 1500
TEXT = "Orderly stop"


def copies(sandbox: SandboxServer, user_ids: list[int]) -> dict[int, int]:
    return {
        uid: sum(1 for m in sandbox.world.history(uid) if m.outgoing and m.data.get("text") == TEXT)
        for uid in user_ids
    }


async def wait_delivered(sandbox: SandboxServer, ids: list[int], at_least: int, bot: BotProcess):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while sum(1 for n in copies(sandbox, ids).values() if n) < at_least:
        assert loop.time() < deadline, bot.log_tail()
        await asyncio.sleep(0.01)


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
        world = sandbox.world
        organizer = world.add_user("Org", organizer=True)
        ids = [world.add_user(f"U{i}", language_code="ru").id for i in range(RECIPIENTS)]
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
        await bot.start()
        await wait_delivered(sandbox, ids, RECIPIENTS // 3, bot)
        assert await bot.stop() == 0, bot.log_tail()
        delivered = {uid for uid, n in copies(sandbox, ids).items() if n}
        with sqlite3.connect(db_path) as conn:
            states = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
            sent = {r[0] for r in conn.execute("SELECT user_id FROM outbox WHERE state='sent'")}
        assert "sending" not in states, states  # nothing left in flight
        assert sent == delivered  # every message that went out is recorded, and only those
        assert len(delivered) < RECIPIENTS, "the stop came too late to test anything"

        await bot.start()
        await wait_delivered(sandbox, ids, RECIPIENTS, bot)
        assert await bot.stop() == 0, bot.log_tail()
    finally:
        await bot.kill()
    counts = copies(sandbox, ids)
    assert set(counts.values()) == {1}, "a SIGTERM must cost no duplicate and no loss"
