"""The delivery engine's throughput against the sandbox.

    python -m benchmarks.bench_broadcast [--messages 5000] [--limited 300]

1. Flood limits off, pacing off (OUTBOX_RATE=0): the engine's own ceiling in messages/s.
2. Sandbox flood limits on (30/s overall, 1/s per chat, Telegram-like), the engine at its
   defaults (25/s, 1/s per chat): the rate it keeps and how many 429s it got (target: none).

The sandbox runs in a child process so that the engine and the fake Telegram do not share one
core; everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bot.clock import Clock
from bot.services.outbox import OutgoingMessage, to_rows
from bot.services.sender import BotApiTransport, Sender
from storage.db import Database
from storage.repos import Repos


async def serve(users: int) -> None:
    """Child process: a sandbox with ``users`` users; prints its URL, serves until killed."""
    from bot.sandbox.server import SandboxServer
    from bot.sandbox.world import SandboxWorld

    world = SandboxWorld(max_events=2_000_000, max_calls=1000)
    ids = [world.add_user(f"U{i}", language_code="en").id for i in range(users)]
    async with SandboxServer(world) as server:
        print(json.dumps({"url": server.url, "token": world.token, "ids": ids}), flush=True)
        await asyncio.Event().wait()


async def run_batch(
    repos: Repos, clock: Clock, base: str, token: str, ids: list[int], tag: str, **pacing: float
) -> tuple[float, Sender]:
    """Queue one message per id and time the sender until the outbox is drained."""
    rows = to_rows(
        [OutgoingMessage(uid, f"Bench {tag}", f"bench:{tag}:{uid}", "broadcast") for uid in ids]
    )
    await repos.outbox.insert(rows, clock.now())
    transport = BotApiTransport(
        f"{base}/bot", token, connections=int(pacing.get("concurrency", 64))
    )
    sender = Sender(
        repos.outbox,
        transport,
        clock,
        rate=pacing.get("rate", 0),
        chat_rate=pacing.get("chat_rate", 0),
        concurrency=int(pacing.get("concurrency", 64)),
    )
    started = time.perf_counter()
    await sender.start()
    await sender.drained(timeout=600)
    elapsed = time.perf_counter() - started
    await sender.stop()
    return elapsed, sender


async def main(messages: int, limited: int) -> None:
    """Run both measurements and print them."""
    child = subprocess.Popen(  # noqa: ASYNC220 - started once, before any timing
        [sys.executable, "-m", "benchmarks.bench_broadcast", "--serve", str(messages)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        info = json.loads(child.stdout.readline())
        base, token, ids = info["url"], info["token"], info["ids"]
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(Path(tmp) / "bench.db")
            await db.open()
            async with db.transaction() as conn:
                await conn.executemany(
                    "INSERT INTO users (id, first_name, first_seen, last_seen)"
                    " VALUES (?, 'U', 'x', 'x')",
                    [(uid,) for uid in ids],
                )
            repos, clock = Repos(db), Clock()

            elapsed, sender = await run_batch(repos, clock, base, token, ids, "free", rate=0)
            print(
                f"flood limits off, no pacing: {sender.stats.sent} messages in {elapsed:.2f} s"
                f" = {sender.stats.sent / elapsed:,.0f} msg/s (429s: {sender.stats.rate_limited})"
            )

            async with aiohttp.ClientSession() as http:
                await http.post(
                    f"{base}/sandbox/api/flood",
                    json={"enabled": True, "global_rate": 30, "global_burst": 30,
                          "chat_rate": 1, "chat_burst": 3},
                )  # fmt: skip
            few = ids[:limited]
            elapsed, sender = await run_batch(
                repos, clock, base, token, few, "limited", rate=25, chat_rate=1, concurrency=32
            )
            print(
                f"flood limits on (30/s), OUTBOX_RATE=25: {sender.stats.sent} messages in"
                f" {elapsed:.2f} s = {sender.stats.sent / elapsed:.1f} msg/s"
                f" ({sender.stats.sent / elapsed / 25:.0%} of the configured 25/s),"
                f" 429s: {sender.stats.rate_limited}"
            )
            await db.close()
    finally:
        child.kill()
        child.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--limited", type=int, default=300)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        asyncio.run(serve(args.serve))
    else:
        asyncio.run(main(args.messages, args.limited))
