"""Agenda queries per second: what /agenda, /now, search and /my cost on this machine.

    python -m benchmarks.bench_agenda [--seconds S]

The programme lives in memory (bot/services/agenda.py); a person's stars live in SQLite
(10,000 users with three stars each here) and are kept in memory once read (storage/kept.py),
so /my and a session card are timed both ways. Each line times one kind of query in a loop for
a fixed time and prints its rate; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.content import load_content
from bot.resources import sample_content_path
from bot.services.agenda import SearchIndex, day_slots, now_next
from storage.db import Database
from storage.stars import StarsRepo
from storage.stars import forget as forget_stars

USERS = 10_000
NOW = datetime(2018, 11, 14, 6, 10, tzinfo=UTC)  # 12:10 in Almaty: parallel sections


async def rate(label: str, seconds: float, query: Callable[[int], Awaitable[object]]) -> None:
    """Run ``query(i)`` for ``seconds`` and print ``label: ... = N queries/s``."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _ in range(100):
            await query(done)
            done += 1
    elapsed = time.perf_counter() - started
    print(f"{label}: {done:,} in {elapsed:.2f} s = {done / elapsed:,.0f} queries/s")


async def run(seconds: float) -> None:
    """Time each agenda query."""
    forum = load_content(sample_content_path())
    day = forum.days()[0]
    index = SearchIndex.build(forum)
    sessions = [s.id for s in forum.sessions]

    async def day_list(i: int) -> object:
        return day_slots(forum, day)

    async def now(i: int) -> object:
        return now_next(forum, NOW + timedelta(minutes=i % 600))

    async def search(i: int) -> object:
        return index.search(("устойчивое", "тұрақты", "volunteering")[i % 3])

    await rate("agenda day list (in memory)", seconds, day_list)
    await rate("now and next (in memory)", seconds, now)
    await rate("search, three languages (in memory)", seconds, search)

    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.db")
        await db.open()
        stamp = NOW.isoformat()
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)",
                [(uid, stamp, stamp) for uid in range(1, USERS + 1)],
            )
            await conn.executemany(
                "INSERT INTO stars (user_id, session_id, starred_at) VALUES (?, ?, ?)",
                [
                    (uid, sessions[(uid + k) % len(sessions)], stamp)
                    for uid in range(1, USERS + 1)
                    for k in range(3)
                ],
            )
        stars = StarsRepo(db)

        async def mine(i: int) -> object:
            return await stars.sessions_of(i % USERS + 1)

        async def starred(i: int) -> object:
            return await stars.is_starred(i % USERS + 1, sessions[i % len(sessions)])

        def read_anew(
            query: Callable[[int], Awaitable[object]],
        ) -> Callable[[int], Awaitable[object]]:
            """The query as the first one after a change of the person's stars: from SQLite."""

            async def anew(i: int) -> object:
                forget_stars(db, (i % USERS + 1,))
                return await query(i)

            return anew

        # Every person's stars read once (then kept), as after a while of people using the bot;
        # the "read from SQLite" lines forget a person's stars before each query (a change).
        for uid in range(1, USERS + 1):
            await stars.sessions_of(uid)
        await rate(
            "my agenda, read from SQLite: stars of a user (10,000 users)", seconds, read_anew(mine)
        )
        await rate("my agenda, kept in memory: stars of a user", seconds, mine)
        await rate("session card, read from SQLite: is it starred", seconds, read_anew(starred))
        await rate("session card, kept in memory: is it starred", seconds, starred)
        await db.close()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per query kind")
    args = parser.parse_args()
    asyncio.run(run(args.seconds))


if __name__ == "__main__":
    main()
