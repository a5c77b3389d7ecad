"""Q&A storage: ranking with ties, idempotent vote toggles, typed polls and /deleteme."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services.polls import parse_typed
from storage.db import Database
from storage.qa import QaRepo
from storage.users import UsersRepo

NOW = datetime(2018, 11, 14, 4, 30, tzinfo=UTC)


@pytest.fixture
async def database(tmp_path: Path):
    db = Database(tmp_path / "forum.db")
    await db.open()
    users = UsersRepo(db)
    for user_id, name in ((1, "Aigerim"), (2, "Maria"), (3, "Alex")):
        await users.upsert_seen(
            user_id, first_name=name, last_name="Surname", username=None, language_code="en",
            now=NOW,
        )  # fmt: skip
    yield db
    await db.close()


async def add(repo: QaRepo, user_id: int, text: str, status: str = "approved", **kw: object):
    return await repo.add_question(
        "opening", user_id, text, anonymous=bool(kw.get("anonymous", False)),
        asker_name="Name", language="en", status=status, now=NOW,
    )  # fmt: skip


async def test_most_votes_first_ties_older_first_and_only_public_questions(
    database: Database,
) -> None:
    repo = QaRepo(database)
    older = await add(repo, 1, "older")
    newer = await add(repo, 2, "newer")
    await add(repo, 3, "waiting", status="waiting")
    await add(repo, 3, "rejected", status="rejected")
    assert [q.text for q in await repo.of_session("opening")] == ["older", "newer"]
    assert await repo.set_vote(newer.id, 3, True, NOW) is True
    assert [q.text for q in await repo.of_session("opening")] == ["newer", "older"]
    assert await repo.set_vote(older.id, 2, True, NOW) is True
    listed = await repo.of_session("opening", reader=2)
    assert [(q.text, q.votes, q.voted) for q in listed] == [("older", 1, True), ("newer", 1, False)]


async def test_votes_are_idempotent_under_concurrent_and_repeated_presses(
    database: Database,
) -> None:
    repo = QaRepo(database)
    question = await add(repo, 1, "q")
    waiting = await add(repo, 1, "w", status="waiting")
    presses = [repo.set_vote(question.id, u, True, NOW) for u in (1, 2, 3, 1, 2, 3)]
    results = await asyncio.gather(*presses)
    assert sorted(results) == [False, False, False, True, True, True]  # each person once
    assert (await repo.get(question.id)).votes == 3
    assert await repo.set_vote(question.id, 2, False, NOW) is True
    assert await repo.set_vote(question.id, 2, False, NOW) is False  # delivered twice
    assert (await repo.get(question.id)).votes == 2
    assert await repo.set_vote(waiting.id, 2, True, NOW) is None
    assert await repo.set_vote(999, 2, True, NOW) is None


async def test_deleteme_removes_questions_and_votes_and_anonymizes_answered_ones(
    database: Database,
) -> None:
    repo = QaRepo(database)
    open_one = await add(repo, 1, "open")
    answered = await add(repo, 1, "answered")
    others = await add(repo, 2, "by someone else")
    await repo.set_status(answered.id, "answered", NOW, expected=("approved",))
    await repo.set_vote(others.id, 1, True, NOW)
    await repo.set_vote(open_one.id, 2, True, NOW)
    poll = await repo.add_poll("opening", {"en": "Q"}, [{"en": "a"}, {"en": "b"}], NOW)
    await repo.answer_poll(poll.id, 1, 0, NOW)
    await repo.set_draft(1, "opening", "text", NOW)

    assert await UsersRepo(database).delete(1)

    assert await repo.get(open_one.id) is None
    kept = await repo.get(answered.id)
    assert kept is not None and kept.user_id is None and kept.asker_name is None and kept.anonymous
    assert (await repo.get(others.id)).votes == 0
    assert await repo.poll_counts(poll.id) == {}
    assert await repo.draft(1) is None


async def test_a_closed_poll_takes_no_answer_and_answers_can_change_before(
    database: Database,
) -> None:
    repo = QaRepo(database)
    poll = await repo.add_poll("opening", {"en": "Q"}, [{"en": "a"}, {"en": "b"}], NOW)
    assert await repo.answer_poll(poll.id, 1, 0, NOW)
    assert await repo.answer_poll(poll.id, 1, 1, NOW + timedelta(seconds=1))
    assert await repo.poll_counts(poll.id) == {1: 1}
    assert await repo.close_poll(poll.id, NOW) and not await repo.close_poll(poll.id, NOW)
    assert not await repo.answer_poll(poll.id, 2, 0, NOW)


def test_a_typed_poll_in_one_text_or_three_languages() -> None:
    question, options = parse_typed("Best?\nA\nB") or ({}, [])
    assert question == {"kk": "Best?", "ru": "Best?", "en": "Best?"}
    assert [o["en"] for o in options] == ["A", "B"]
    three = parse_typed("Қайсы?\nА\nБ\n\nКакой?\nА\nБ\n\nWhich?\nA\nB")
    assert three is not None and three[0]["ru"] == "Какой?" and three[1][1]["en"] == "B"
    assert parse_typed("Only a question\nand one option") is None
    assert parse_typed("Q\n" + "\n".join(str(i) for i in range(11))) is None
    assert parse_typed("Q\nA\nB\n\nQ2\nA\nB") is None  # two blocks: neither one nor three


async def test_a_dialog_is_waiting_only_while_fresh(database: Database) -> None:
    from types import SimpleNamespace

    from bot.clock import Clock
    from bot.services.qa import QaFlow

    clock = Clock(NOW, frozen=True)
    services = SimpleNamespace(repos=SimpleNamespace(qa=QaRepo(database)), clock=clock, extras={})
    flow = QaFlow(services)
    assert not await flow.waiting_for(1)
    await flow.repo.set_draft(1, "opening", "text", NOW)
    assert await flow.waiting_for(1)
    clock.advance(timedelta(minutes=31))
    assert not await flow.waiting_for(1)


async def test_the_database_refuses_a_second_open_poll_in_a_session(database: Database) -> None:
    import sqlite3

    repo = QaRepo(database)
    first = await repo.add_poll("opening", {"en": "Q1"}, [{"en": "a"}, {"en": "b"}], NOW)
    with pytest.raises(sqlite3.IntegrityError):
        await repo.add_poll("opening", {"en": "Q2"}, [{"en": "a"}, {"en": "b"}], NOW)
    await repo.add_poll("sdg", {"en": "Q3"}, [{"en": "a"}, {"en": "b"}], NOW)  # another session
    assert await repo.close_poll(first.id, NOW)
    await repo.add_poll("opening", {"en": "Q4"}, [{"en": "a"}, {"en": "b"}], NOW)  # after closing
    assert [p.status for p in await repo.polls_of("opening")] == ["open", "closed"]
