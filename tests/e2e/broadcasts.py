"""Shared by the broadcast crash, stop and restore tests: a broadcast to many sandbox users
written straight into the bot's database, and counting who got how many copies."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from bot.sandbox.harness import BotProcess, SandboxServer


def seed_broadcast(sandbox: SandboxServer, db_path: Path, recipients: int, text: str) -> list[int]:
    """``recipients`` Russian-speaking users and one broadcast to all of them, due now."""
    world = sandbox.world
    organizer = world.add_user("Org", organizer=True)
    ids = [world.add_user(f"U{i}", language_code="ru").id for i in range(recipients)]
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
            (organizer.id, json.dumps({"*": text})),
        )
    return ids


def copies(sandbox: SandboxServer, user_ids: list[int], text: str) -> dict[int, int]:
    """How many copies of ``text`` each user received."""
    return {
        uid: sum(1 for m in sandbox.world.history(uid) if m.outgoing and m.data.get("text") == text)
        for uid in user_ids
    }


def delivered(sandbox: SandboxServer, user_ids: list[int], text: str) -> int:
    """How many users have at least one copy."""
    return sum(1 for n in copies(sandbox, user_ids, text).values() if n)


async def wait_delivered(
    sandbox: SandboxServer, ids: list[int], text: str, at_least: int, bot: BotProcess
) -> None:
    """Until ``at_least`` users have their copy (the bot's log tail if it takes a minute)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while delivered(sandbox, ids, text) < at_least:
        assert loop.time() < deadline, bot.log_tail()
        await asyncio.sleep(0.01)
