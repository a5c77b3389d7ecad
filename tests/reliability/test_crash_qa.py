"""SIGKILL in the middle of a vote burst: after a restart no vote is lost, none counted twice.

Everyone presses 👍 at once; the bot is killed after a random few presses were answered and started
again. People whose press was not answered press again, as they would on a spinning button.
In the end every person's vote is counted exactly once (counted in the database).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.harness import BotProcess, SandboxUser, new_user

VOTERS = 60


def seed_question(database: Path) -> int:
    """An approved question to the opening plenary (setup through the database)."""
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO users (id, first_name, first_seen, last_seen)"
            " VALUES (1, 'Author', '2018-11-14T04:00:00', '2018-11-14T04:00:00')"
        )
        cursor = conn.execute(
            "INSERT INTO qa_questions (session_id, user_id, text, status, created_at)"
            " VALUES ('opening', 1, 'How will the councils report?', 'approved',"
            " '2018-11-14T04:20:00.000000+00:00')"
        )
        return int(cursor.lastrowid or 0)


def votes(database: Path, question_id: int) -> int:
    with sqlite3.connect(database) as conn:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM qa_votes WHERE question_id = ?", (question_id,)
            ).fetchone()[0]
        )


def answered(sandbox: Any, user: SandboxUser, since: int) -> bool:
    """Whether the bot answered the user's press made after event ``since``."""
    return any(
        event["kind"] == "callback_answer" for event in sandbox.world.events_after(since, user.id)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_kill_during_a_vote_burst(sandbox: Any, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    database = tmp_path / "bot.db"
    bot = BotProcess(
        sandbox, database, log_path=tmp_path / "bot.log", clock_at="2018-11-14T10:30",
        env={"FLOOD_LIMIT": "500"},
    )  # fmt: skip
    users = [
        new_user(sandbox.world, rng.choice(["kk", "ru", "en"]), timeout=60) for _ in range(VOTERS)
    ]
    await bot.start()
    try:
        question = seed_question(database)
        greetings = []
        for user in users:
            await user.command("/start")
            greetings.append(await user.expect(""))
        marks = {}
        for user, greeting in zip(users, greetings, strict=True):
            marks[user.id] = sandbox.world.last_seq
            await user.press_data(greeting, f"qa:v:{question}:0:1")
        # Somewhere in the burst: once a random few of the presses are answered (an observable
        # event, not a time), so that the kill cannot come before the burst or after it.
        target = rng.randint(1, VOTERS // 3)
        seen = sandbox.world.last_seq
        async with asyncio.timeout(60):  # a bot that answers nothing fails, not hangs
            while sum(answered(sandbox, u, marks[u.id]) for u in users) < target:
                events = await sandbox.world.wait_events(seen, wait=60)  # the next event
                seen = events[-1]["seq"] if events else seen
        await bot.kill()
        unanswered = [u for u in users if not answered(sandbox, u, marks[u.id])]
        assert unanswered, "the kill came too late: every press was already answered"
        await bot.start()
        for user, greeting in zip(users, greetings, strict=True):
            if user in unanswered:
                await user.press_data(greeting, f"qa:v:{question}:0:1")
                await user.expect_answer()
    finally:
        await bot.stop()
    assert votes(database, question) == VOTERS  # none lost, none twice
