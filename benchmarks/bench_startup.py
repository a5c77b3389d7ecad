"""Start-up and catch-up: the bot comes back after 10 minutes down in the middle of the forum.

The database holds ``users`` registered people; ``starrers`` of them starred the plenary (lead
times 50 % 10 min, 35 % 5, 15 % 15), and the reminder check last ran 10 minutes ago. The bot's
clock starts (CLOCK_AT) 7 minutes before the plenary: the 10- and 15-minute reminders came due
while it was down, the 5-minute crowd is due in the next minutes. Meanwhile ``waiting`` people
sent /help; their updates wait in the (sandbox) Bot API. The sandbox enforces Telegram-like flood
limits (30/s, 1/s per chat). The bot runs as ``python -m bot`` with production settings.

Figures: seconds from spawning the process to its first getUpdates, to the first reply, to the
last of the waiting replies, and until the outbox is back on schedule (every reminder that came
due while the bot was down sent, no pending row due more than 5 s ago). The floor of the
catch-up: the overdue reminders / OUTBOX_RATE plus the waiting replies / 30 (they go first).

Run: ``python -m benchmarks.bench_startup [--quick]``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench_pacing import TELEGRAM_LIMITS
from benchmarks.bench_updates import (
    BenchWorld,
    forum_bot,
    prepare_database,
    progress,
    run_alone,
)
from bot.sandbox.server import SandboxServer

OUTBOX_RATE = 25.0
SHARES = ((10, 0.50), (5, 0.35), (15, 0.15))
DOWN = timedelta(minutes=10)
BEFORE_START = timedelta(minutes=7)


def plenary() -> Any:
    """The sample forum's first plenary session."""
    from bot.content import load_content
    from bot.resources import sample_content_path

    content = load_content(sample_content_path())
    talks = [s for s in content.sessions if s.kind == "plenary"] or list(content.sessions)
    return talks[0], content.forum.tz


async def prepare(database: Path, users: int, starrers: int, session_id: str, now: datetime) -> int:
    """Users, stars, lead times, the last check 10 minutes ago; returns the overdue count."""
    from bot.services.reminders import LAST_CHECK
    from storage.db import Database
    from storage.outbox import OutboxRepo, stamp

    ids = await prepare_database(database, users)
    db = Database(database)
    await db.open()
    overdue = 0
    try:
        leads: list[tuple[int, int]] = []
        position = 0
        for minutes, share in SHARES:
            count = round(starrers * share)
            leads += [(minutes, uid) for uid in ids[position : position + count]]
            position += count
            overdue += count if minutes > BEFORE_START.total_seconds() / 60 else 0
        async with db.transaction() as conn:
            await conn.executemany("UPDATE users SET reminder_minutes = ? WHERE id = ?", leads)
            await conn.executemany(
                "INSERT INTO stars (user_id, session_id, starred_at) VALUES (?, ?, 'x')",
                [(uid, session_id) for _, uid in leads],
            )
        await OutboxRepo(db).set_mark(LAST_CHECK, stamp(now - DOWN))
    finally:
        await db.close()
    return overdue


def outbox_state(database: Path, forum_now: datetime) -> tuple[int, int]:
    """Reminders sent so far, and pending rows due more than 5 s ago (read-only, beside the
    running bot)."""
    from storage.outbox import stamp

    limit = stamp(forum_now - timedelta(seconds=5))
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        queued = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'reminder' AND state = 'sent'"
        ).fetchone()
        late = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')"
            " AND COALESCE(not_before, created_at) <= ?",
            (limit,),
        ).fetchone()
    return int(queued[0]), int(late[0])


async def measure(users: int, starrers: int, waiting: int) -> dict[str, float]:
    """One start after the outage; the figures in seconds."""
    session, tz = plenary()
    start_at = session.starts_utc - BEFORE_START
    world = BenchWorld(max_events=1_000_000, max_calls=1000)
    async with SandboxServer(world) as server:
        with tempfile.TemporaryDirectory(prefix="forum-startup-") as tmp:
            database = Path(tmp) / "bench.db"
            overdue = await prepare(database, users, starrers, session.id, start_at)
            waiting_ids = list(range(900_000_001, 900_000_001 + waiting))
            for uid in waiting_ids:
                world.add_user("User", user_id=uid, language_code="ru")
                world.send_command(uid, "/help")  # sent while the bot was down
            for uid in range(500_000_001, 500_000_001 + users):
                world.add_user("User", user_id=uid, language_code="ru")
            world.configure_flood(
                enabled=True, global_rate=30, global_burst=30, chat_rate=1, chat_burst=3
            )
            replies: list[float] = []
            waiting_set = set(waiting_ids)
            world.observer = lambda chat: (
                replies.append(time.perf_counter()) if chat in waiting_set else None
            )
            local = start_at.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")
            bot = forum_bot(server, Path(tmp), database, CLOCK_AT=local, **TELEGRAM_LIMITS)
            progress(f"startup: {users:,} users, {overdue:,} reminders overdue, {waiting} waiting")
            spawned = time.perf_counter()
            polling = await bot.start(world)
            try:
                back_on_schedule = float("nan")
                deadline = spawned + 30 + 3 * overdue / OUTBOX_RATE
                while time.perf_counter() < deadline:
                    await asyncio.sleep(0.5)
                    forum_now = start_at + timedelta(seconds=time.perf_counter() - spawned)
                    sent, late = outbox_state(database, forum_now)
                    if len(replies) >= waiting and sent >= overdue and late == 0:
                        back_on_schedule = time.perf_counter() - spawned
                        break
            finally:
                await bot.stop()
    return {
        "start to polling": polling,
        "start to the first reply": (min(replies) - spawned) if replies else float("nan"),
        "start to the last waiting reply": (max(replies) - spawned) if replies else float("nan"),
        "start to the outbox back on schedule": back_on_schedule,
        # Bulk cannot go faster than OUTBOX_RATE, and the waiting replies go first (at 30/s).
        "floor: overdue / OUTBOX_RATE + waiting / 30": overdue / OUTBOX_RATE + waiting / 30,
    }


async def run(quick: bool = False) -> dict[str, Any]:
    """``{"figures": {...}}`` for benchmarks/__main__."""
    users, starrers, waiting = (1000, 300, 50) if quick else (5000, 2000, 200)
    result = await measure(users, starrers, waiting)
    label = f"start after 10 min down, {users:,} users"
    return {
        "figures": {
            f"{label}: {k}": {"runs": [v], "median": v, "unit": "s"} for k, v in result.items()
        },
        "notes": {"startup": {"users": users, "starrers": starrers, "waiting": waiting}},
    }


if __name__ == "__main__":
    run_alone(run, __doc__)
