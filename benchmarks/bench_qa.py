"""Live Q&A under a vote burst: 300 sandbox users vote on 20 questions within 10 seconds.

    python -m benchmarks.bench_qa [--quick] [--users N] [--seconds S]

The real bot (in this process) against the sandbox; a hall screen follows over server-sent
events. Every user presses 👍 on two different questions (the second after the first was
answered), the presses spread evenly over the window. Prints: votes counted / cast (must be
1.0: none lost, none doubled), press -> answer p50 and p99, votes the screen finally shows /
cast (must be 1.0), and vote -> screen update p99 (from the answer of the k-th vote to the
first screen event showing at least k votes; goal: under 2 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

from bot.clock import Clock
from bot.sandbox import SandboxServer
from bot.sandbox.harness import new_user, sandbox_settings, start_bot, stop_bot
from bot.services import hall

DURING = datetime(2018, 11, 14, 10, 30, tzinfo=ZoneInfo("Asia/Almaty"))
SESSION = "opening"
QUESTIONS = 20


def percentile(values: list[float], share: float) -> float:
    """The ``share`` (0..1) percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def follow_screen(url: str, seen: list[tuple[float, int]], ready: asyncio.Event) -> None:
    """Read the hall screen's events: (arrival time, votes shown in total)."""
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        async for raw in response.content:
            line = raw.decode().strip()
            if line.startswith("data:"):
                model = json.loads(line[5:])["models"]["en"]
                seen.append((time.perf_counter(), int(model["votes_total"])))
                ready.set()


async def run(users: int, seconds: float) -> dict[str, tuple[float, str]]:
    """The burst; returns the figures."""
    rng = random.Random(17)
    with tempfile.TemporaryDirectory() as folder:
        async with SandboxServer() as sandbox:
            settings = sandbox_settings(
                sandbox, Path(folder) / "bench.db", flood_limit=1000, web_port=0
            )
            application = await start_bot(sandbox, settings, Clock(DURING, frozen=True))
            services = application.bot_data["services"]
            try:
                ids = []
                for number in range(QUESTIONS):
                    await services.repos.users.upsert_seen(
                        number + 1, first_name="Asker", last_name=None, username=None,
                        language_code="ru", now=services.clock.now(),
                    )  # fmt: skip
                    question = await services.repos.qa.add_question(
                        SESSION, number + 1, f"Question number {number + 1}?", anonymous=True,
                        asker_name=None, language="ru", status="approved",
                        now=services.clock.now(),
                    )  # fmt: skip
                    ids.append(question.id)
                people = [
                    new_user(sandbox.world, rng.choice(["kk", "ru", "en"])) for _ in range(users)
                ]
                greetings = {}
                for person in people:  # everyone has opened the bot before the session
                    await person.command("/start")
                    greetings[person.id] = await person.expect("")

                key = hall.screen_key(settings.bot_token.get_secret_value(), SESSION)
                seen: list[tuple[float, int]] = []
                ready = asyncio.Event()
                screen = asyncio.create_task(
                    follow_screen(
                        f"{services.web.url}/hall/{SESSION}/events?key={key}", seen, ready
                    )
                )
                await ready.wait()

                latencies: list[float] = []
                answered_at: list[float] = []
                step = seconds / users

                async def voter(index: int) -> None:
                    person = people[index]
                    await asyncio.sleep(index * step)
                    for question in rng.sample(ids, 2):
                        started = time.perf_counter()
                        await person.press_data(greetings[person.id], f"qa:v:{question}:0:1")
                        await person.expect_answer(timeout=60)
                        done = time.perf_counter()
                        latencies.append(done - started)
                        answered_at.append(done)

                burst_started = time.perf_counter()
                await asyncio.gather(*(voter(i) for i in range(users)))
                burst = time.perf_counter() - burst_started
                cast = 2 * users
                while not seen or seen[-1][1] < cast:  # the screen catches up (or never does)
                    if time.perf_counter() - answered_at[-1] > 30:
                        break
                    await asyncio.sleep(0.05)
                screen.cancel()
                counted = await services.repos.qa.vote_count()
                answered_at.sort()
                screen_lags = []
                for k, moment in enumerate(answered_at, 1):
                    shown = next((t for t, total in seen if total >= k), None)
                    if shown is not None:
                        screen_lags.append(max(0.0, shown - moment))
            finally:
                await stop_bot(sandbox, application)
    return {
        "votes counted / cast": (counted / cast, ""),
        "votes cast": (float(cast), "votes"),
        "burst duration": (burst, "s"),
        "press to answer p50": (statistics.median(latencies) * 1000, "ms"),
        "press to answer p99": (percentile(latencies, 0.99) * 1000, "ms"),
        "votes shown on the screen / cast": ((seen[-1][1] if seen else 0) / cast, ""),
        "vote to screen p99": (
            percentile(screen_lags, 0.99) * 1000 if screen_lags else -1.0,
            "ms",
        ),
        "screen updates": (float(len(seen)), "events"),
    }


def main() -> None:
    """Parse arguments, run, print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 users in 3 s (smoke run)")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    users, seconds = (60, 3.0) if args.quick else (args.users, args.seconds)
    figures = asyncio.run(run(users, seconds))
    print(f"# {users} users x 2 votes on {QUESTIONS} questions within {seconds:g} s")
    for name, (value, unit) in figures.items():
        print(f"{name}: {value:.3f} {unit}".rstrip())


if __name__ == "__main__":
    main()
