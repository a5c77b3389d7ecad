"""SIGKILL at random points while people answer a survey; after a restart nothing acknowledged
is lost and nothing is duplicated (counted in the database)."""

from __future__ import annotations

import asyncio
import random
import sqlite3

import pytest

from bot.sandbox.harness import BotProcess, new_user

SURVEY = "Forum feedback"
NEXT_QUESTION = "Which sector"  # the question after "overall" in the sample's feedback survey


def counts(database) -> tuple[int, int]:
    with sqlite3.connect(database) as conn:
        responses = conn.execute(
            "SELECT COUNT(*) FROM survey_responses WHERE survey_id = 'feedback'"
        ).fetchone()[0]
        answers = conn.execute(
            "SELECT COUNT(*) FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id"
            " WHERE r.survey_id = 'feedback' AND a.question_id = 'overall' AND a.draft = 0"
        ).fetchone()[0]
    return responses, answers


@pytest.mark.parametrize("seed", [1, 2])
async def test_kill_during_survey_answers(sandbox, tmp_path, seed):
    rng = random.Random(seed)
    database = tmp_path / "bot.db"
    bot = BotProcess(sandbox, database, log_path=tmp_path / "bot.log",
                     clock_at="2018-11-14T17:00", env={"FLOOD_LIMIT": "500"})
    users = [new_user(sandbox.world, "en", timeout=30) for _ in range(6)]
    kill_at = rng.randrange(len(users))
    acknowledged, pressed = set(), set()
    await bot.start()
    try:
        for index, user in enumerate(users):
            await user.command("/surveys")
            await user.press(SURVEY, message=await user.expect(SURVEY))
            await user.expect("How")  # the first question
            await user.press("4⭐")
            pressed.add(user.id)
            if index == kill_at:
                await asyncio.sleep(rng.random() * 0.3)  # somewhere in the middle of it
                await bot.kill()
                await bot.start()
            await user.expect(lambda m: NEXT_QUESTION in m.text or "⭐" in m.text)
            acknowledged.add(user.id)
    finally:  # a graceful stop: the updates being handled finish first
        await bot.stop()
    responses, answers = counts(database)
    assert responses == len(users)  # one response each: none lost, none doubled
    assert len(acknowledged) <= answers <= len(pressed)
