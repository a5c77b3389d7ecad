"""Live Q&A storage: questions, votes, the ask dialog, a session's audience and its polls."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database

# Shown to the audience (in lists and on the hall screen).
PUBLIC = ("approved", "answered")
STATUSES = ("waiting", "approved", "rejected", "answered", "hidden")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class QaQuestion:
    """A question with its vote count (and whether the reader voted for it, when asked)."""

    id: int
    session_id: str
    user_id: int | None
    text: str
    anonymous: bool
    asker_name: str | None
    language: str | None
    status: str
    now_answering: bool
    reply: str | None
    created_at: str
    votes: int = 0
    voted: bool = False


@dataclass(frozen=True, slots=True)
class Draft:
    """Where a person is in a Q&A dialog (see migration 0009)."""

    user_id: int
    session_id: str
    step: str
    text: str | None
    ref: int | None
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class Poll:
    """An audience poll; texts are dicts language -> text."""

    id: int
    session_id: str
    source: str | None
    question: dict[str, str]
    options: list[dict[str, str]]
    status: str
    created_at: str


_COLUMNS = (
    "q.id, q.session_id, q.user_id, q.text, q.anonymous, q.asker_name, q.language, q.status,"
    " q.now_answering, q.reply, q.created_at,"
    " (SELECT COUNT(*) FROM qa_votes v WHERE v.question_id = q.id) AS votes"
)


def _question(row: aiosqlite.Row, voted: bool = False) -> QaQuestion:
    return QaQuestion(
        id=row["id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        text=row["text"],
        anonymous=bool(row["anonymous"]),
        asker_name=row["asker_name"],
        language=row["language"],
        status=row["status"],
        now_answering=bool(row["now_answering"]),
        reply=row["reply"],
        created_at=row["created_at"],
        votes=int(row["votes"]),
        voted=voted,
    )


def _draft(row: aiosqlite.Row) -> Draft:
    return Draft(
        row["user_id"], row["session_id"], row["step"], row["text"], row["ref"], row["updated_at"]
    )


def _poll(row: aiosqlite.Row) -> Poll:
    return Poll(
        id=row["id"],
        session_id=row["session_id"],
        source=row["source"],
        question=json.loads(row["question"]),
        options=json.loads(row["options"]),
        status=row["status"],
        created_at=row["created_at"],
    )


class QaRepo:
    """Reads and writes the ``qa_*`` tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- questions --------------------------------------------------------------------------

    async def add_question(
        self,
        session_id: str,
        user_id: int,
        text: str,
        *,
        anonymous: bool,
        asker_name: str | None,
        language: str | None,
        status: str,
        now: datetime,
    ) -> QaQuestion:
        """Store a new question (the caller's transaction also enqueues its notices)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO qa_questions (session_id, user_id, text, anonymous, asker_name,"
                " language, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id, user_id, text, int(anonymous),
                    None if anonymous else asker_name, language, status, _iso(now),
                ),
            )  # fmt: skip
            question_id = cursor.lastrowid
        found = await self.get(int(question_id or 0))
        assert found is not None
        return found

    async def get(self, question_id: int, reader: int | None = None) -> QaQuestion | None:
        """One question with its votes."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM qa_questions q WHERE q.id = ?", (question_id,)
        )
        if row is None:
            return None
        voted = reader is not None and bool(
            await self.db.fetchval(
                "SELECT 1 FROM qa_votes WHERE question_id = ? AND user_id = ?",
                (question_id, reader),
            )
        )
        return _question(row, voted)

    async def of_session(
        self, session_id: str, statuses: tuple[str, ...] = PUBLIC, reader: int | None = None
    ) -> list[QaQuestion]:
        """The session's questions in these states: most votes first, ties older first."""
        marks = ",".join("?" * len(statuses))
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM qa_questions q WHERE q.session_id = ?"
            f" AND q.status IN ({marks}) ORDER BY votes DESC, q.id ASC",
            (session_id, *statuses),
        )
        mine: set[int] = set()
        if reader is not None and rows:
            voted = await self.db.fetchall(
                "SELECT v.question_id FROM qa_votes v JOIN qa_questions q ON q.id = v.question_id"
                " WHERE v.user_id = ? AND q.session_id = ?",
                (reader, session_id),
            )
            mine = {r[0] for r in voted}
        return [_question(r, r["id"] in mine) for r in rows]

    async def count_waiting(self, session_id: str, user_id: int) -> int:
        """How many of the person's questions to this session wait for the moderator."""
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM qa_questions WHERE session_id = ? AND user_id = ?"
                " AND status = 'waiting'",
                (session_id, user_id),
            )
        )

    async def last_asked_at(self, user_id: int) -> str | None:
        """When the person last asked a question (any session)."""
        value = await self.db.fetchval(
            "SELECT MAX(created_at) FROM qa_questions WHERE user_id = ?", (user_id,)
        )
        return None if value is None else str(value)

    async def set_status(
        self, question_id: int, status: str, now: datetime, *, expected: tuple[str, ...]
    ) -> bool:
        """Move a question to ``status`` if it is in one of ``expected``; False otherwise."""
        marks = ",".join("?" * len(expected))
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE qa_questions SET status = ?, decided_at = ?,"
                f" now_answering = CASE WHEN ? = 'approved' THEN now_answering ELSE 0 END"
                f" WHERE id = ? AND status IN ({marks})",
                (status, _iso(now), status, question_id, *expected),
            )
            return cursor.rowcount > 0

    async def set_now_answering(self, question_id: int) -> bool:
        """Mark the one question being answered in its session (approved questions only)."""
        async with self.db.transaction() as conn:
            row = await (
                await conn.execute(
                    "SELECT session_id FROM qa_questions WHERE id = ? AND status = 'approved'",
                    (question_id,),
                )
            ).fetchone()
            if row is None:
                return False
            await conn.execute(
                "UPDATE qa_questions SET now_answering = (id = ?) WHERE session_id = ?",
                (question_id, row[0]),
            )
            return True

    async def set_reply(self, question_id: int, reply: str, now: datetime) -> None:
        """Store a moderator's reply to a question."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE qa_questions SET reply = ?, replied_at = ? WHERE id = ?",
                (reply, _iso(now), question_id),
            )

    async def sessions_with_questions(self) -> dict[str, int]:
        """Session id -> number of questions (every state)."""
        rows = await self.db.fetchall(
            "SELECT session_id, COUNT(*) FROM qa_questions GROUP BY session_id"
        )
        return {r[0]: int(r[1]) for r in rows}

    async def sessions_with_polls(self) -> set[str]:
        """The sessions that have had a poll (open or closed)."""
        rows = await self.db.fetchall("SELECT DISTINCT session_id FROM qa_polls")
        return {r[0] for r in rows}

    async def sessions_with_waiting(self) -> dict[str, int]:
        """Session id -> number of waiting questions."""
        rows = await self.db.fetchall(
            "SELECT session_id, COUNT(*) FROM qa_questions WHERE status = 'waiting'"
            " GROUP BY session_id"
        )
        return {r[0]: int(r[1]) for r in rows}

    # -- votes ------------------------------------------------------------------------------

    async def set_vote(
        self, question_id: int, user_id: int, on: bool, now: datetime
    ) -> bool | None:
        """Vote (``on``) or take the vote back, in one transaction; idempotent, so a press
        delivered twice counts once. True: changed, False: it already was so, None: the
        question is not open to votes (gone, not approved)."""
        async with self.db.transaction() as conn:
            row = await (
                await conn.execute("SELECT status FROM qa_questions WHERE id = ?", (question_id,))
            ).fetchone()
            if row is None or row[0] not in PUBLIC:
                return None
            if on:
                cursor = await conn.execute(
                    "INSERT OR IGNORE INTO qa_votes (question_id, user_id, created_at)"
                    " VALUES (?, ?, ?)",
                    (question_id, user_id, _iso(now)),
                )
            else:
                cursor = await conn.execute(
                    "DELETE FROM qa_votes WHERE question_id = ? AND user_id = ?",
                    (question_id, user_id),
                )
            return cursor.rowcount > 0

    async def vote_count(self) -> int:
        """All votes stored (for checks and benchmarks)."""
        return int(await self.db.fetchval("SELECT COUNT(*) FROM qa_votes"))

    # -- the dialog -------------------------------------------------------------------------

    async def draft(self, user_id: int) -> Draft | None:
        """The person's open Q&A dialog."""
        row = await self.db.fetchone("SELECT * FROM qa_drafts WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return _draft(row)

    async def drafts(self) -> list[Draft]:
        """Every open dialog (loaded at start-up)."""
        rows = await self.db.fetchall("SELECT * FROM qa_drafts")
        return [_draft(r) for r in rows]

    async def set_draft(
        self,
        user_id: int,
        session_id: str,
        step: str,
        now: datetime,
        text: str | None = None,
        ref: int | None = None,
    ) -> Draft:
        """Start or move on the person's dialog."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO qa_drafts (user_id, session_id, step, text, ref, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
                " session_id = excluded.session_id, step = excluded.step,"
                " text = excluded.text, ref = excluded.ref, updated_at = excluded.updated_at",
                (user_id, session_id, step, text, ref, _iso(now)),
            )
        return Draft(user_id, session_id, step, text, ref, _iso(now))

    async def clear_draft(self, user_id: int) -> None:
        """End the person's dialog."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM qa_drafts WHERE user_id = ?", (user_id,))

    # -- audience ---------------------------------------------------------------------------

    async def join(self, session_id: str, user_id: int) -> None:
        """Remember that the person follows the session's Q&A."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO qa_audience (session_id, user_id) VALUES (?, ?)",
                (session_id, user_id),
            )

    async def audience(self, session_id: str) -> list[int]:
        """People who opened the session's Q&A or starred the session (not blocked)."""
        rows = await self.db.fetchall(
            "SELECT user_id FROM qa_audience WHERE session_id = ?"
            " UNION SELECT user_id FROM stars WHERE session_id = ?",
            (session_id, session_id),
        )
        ids = [int(r[0]) for r in rows]
        if not ids:
            return []
        blocked = await self.db.fetchall(
            f"SELECT id FROM users WHERE blocked = 1 AND id IN ({','.join('?' * len(ids))})",
            ids,
        )
        gone = {int(r[0]) for r in blocked}
        return sorted(i for i in ids if i not in gone)

    # -- polls ------------------------------------------------------------------------------

    async def add_poll(
        self,
        session_id: str,
        question: dict[str, str],
        options: list[dict[str, str]],
        now: datetime,
        source: str | None = None,
    ) -> Poll:
        """Open a poll."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO qa_polls (session_id, source, question, options, status,"
                " created_at) VALUES (?, ?, ?, ?, 'open', ?)",
                (
                    session_id, source, json.dumps(question, ensure_ascii=False),
                    json.dumps(options, ensure_ascii=False), _iso(now),
                ),
            )  # fmt: skip
            poll_id = int(cursor.lastrowid or 0)
        found = await self.poll(poll_id)
        assert found is not None
        return found

    async def poll(self, poll_id: int) -> Poll | None:
        """One poll."""
        row = await self.db.fetchone("SELECT * FROM qa_polls WHERE id = ?", (poll_id,))
        return None if row is None else _poll(row)

    async def polls_of(self, session_id: str) -> list[Poll]:
        """The session's polls, newest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM qa_polls WHERE session_id = ? ORDER BY id DESC", (session_id,)
        )
        return [_poll(r) for r in rows]

    async def close_poll(self, poll_id: int, now: datetime) -> bool:
        """Close an open poll; False if it was not open."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE qa_polls SET status = 'closed', closed_at = ?"
                " WHERE id = ? AND status = 'open'",
                (_iso(now), poll_id),
            )
            return cursor.rowcount > 0

    async def answer_poll(self, poll_id: int, user_id: int, option: int, now: datetime) -> bool:
        """Store or change the person's answer while the poll is open; False if closed."""
        async with self.db.transaction() as conn:
            row = await (
                await conn.execute("SELECT status FROM qa_polls WHERE id = ?", (poll_id,))
            ).fetchone()
            if row is None or row[0] != "open":
                return False
            await conn.execute(
                "INSERT INTO qa_poll_answers (poll_id, user_id, option, answered_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(poll_id, user_id) DO UPDATE SET"
                " option = excluded.option, answered_at = excluded.answered_at",
                (poll_id, user_id, option, _iso(now)),
            )
            return True

    async def poll_answer(self, poll_id: int, user_id: int) -> int | None:
        """The person's option, if any."""
        value = await self.db.fetchval(
            "SELECT option FROM qa_poll_answers WHERE poll_id = ? AND user_id = ?",
            (poll_id, user_id),
        )
        return None if value is None else int(value)

    async def poll_counts(self, poll_id: int) -> dict[int, int]:
        """Option index -> answers."""
        rows = await self.db.fetchall(
            "SELECT option, COUNT(*) FROM qa_poll_answers WHERE poll_id = ? GROUP BY option",
            (poll_id,),
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def poll_voters(self, poll_id: int) -> list[int]:
        """Who answered the poll."""
        rows = await self.db.fetchall(
            "SELECT user_id FROM qa_poll_answers WHERE poll_id = ? ORDER BY user_id", (poll_id,)
        )
        return [int(r[0]) for r in rows]
