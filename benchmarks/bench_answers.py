"""How many survey answers per second the storage path saves on this machine.

    python -m benchmarks.bench_answers [--answers N]

Each answer goes through ``SurveysRepo.save_answer`` exactly as the bot saves it: its own
``BEGIN IMMEDIATE`` ... ``COMMIT`` on a WAL database with ``synchronous=NORMAL``, in a fresh
temporary file. Half of the responses are anonymous (found through their in-progress link), as
in the sample forum. Prints one line per scenario; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from storage.db import Database
from storage.surveys import SurveysRepo

NOW = datetime(2018, 11, 14, 12, 0, tzinfo=UTC)
QUESTIONS = ("overall", "sector", "themes", "next_forum", "improve")


async def run(answers: int) -> None:
    """Save ``answers`` answers, five per response, and print the rates."""
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.db")
        await db.open()
        repo = SurveysRepo(db)
        people = max(1, answers // len(QUESTIONS))
        for user_id in range(1, people + 1):
            await db.conn.execute(
                "INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)",
                (user_id, NOW.isoformat(), NOW.isoformat()),
            )
        values = (4, "ngo", ["sdg", "partnership"], 9, "More time for questions, please.")

        started = time.perf_counter()
        saved = 0
        for user_id in range(1, people + 1):
            anonymous = user_id % 2 == 0
            response = await repo.find("feedback", user_id, anonymous=anonymous)
            if response is None:
                response = await repo.start(
                    "feedback",
                    user_id,
                    anonymous=anonymous,
                    stakeholder="ngo",
                    language="ru",
                    now=NOW,
                )
            for question, value in zip(QUESTIONS, values, strict=True):
                await repo.save_answer(response.id, question, value, now=NOW)
                saved += 1
        elapsed = time.perf_counter() - started
        print(
            f"full path (find/start response + save): {saved} answers in {elapsed:.2f} s"
            f" = {saved / elapsed:,.0f} answers/s"
        )

        response_id = (await repo.find("feedback", 1)).id
        started = time.perf_counter()
        for i in range(answers):
            await repo.save_answer(response_id, QUESTIONS[i % 5], values[i % 5], now=NOW)
        elapsed = time.perf_counter() - started
        print(
            f"save_answer alone (one transaction each): {answers} answers in {elapsed:.2f} s"
            f" = {answers / elapsed:,.0f} answers/s"
        )
        await db.close()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=5000, help="answers to save (5000)")
    asyncio.run(run(parser.parse_args().answers))


if __name__ == "__main__":
    main()
