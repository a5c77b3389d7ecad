"""Survey responses, answers and the per-person answer cursor (0003_surveys.sql, 0007_trust.sql).

A response of a named survey belongs to a user (``user_id``). An anonymous one has no user id;
while it is in progress ``survey_anon_progress`` links the person to it so that they can resume;
completing it deletes that link and records only that the person has finished
(``survey_anon_done``). Anonymous responses get random ids and day-only times, so nothing in
the file (row order, a timestamp) joins them to a person. Answers are JSON values, one row per
question, written as they come.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from storage.db import Database


@dataclass(frozen=True, slots=True)
class Response:
    """One person's response to one survey."""

    id: int
    survey_id: str
    respondent: str
    user_id: int | None
    stakeholder: str | None
    language: str | None
    started_at: str
    updated_at: str
    completed_at: str | None

    @property
    def completed(self) -> bool:
        """Whether every required question was answered at some point."""
        return self.completed_at is not None


@dataclass(frozen=True, slots=True)
class Answer:
    """A stored answer: ``value`` is the decoded JSON (None when skipped)."""

    question_id: str
    value: Any
    skipped: bool
    draft: bool
    answered_at: str

    @property
    def final(self) -> bool:
        """Answered or skipped, and not a multiple choice still being picked."""
        return not self.draft


@dataclass(frozen=True, slots=True)
class Cursor:
    """What a person is answering now: a survey question or a rating comment."""

    user_id: int
    kind: str  # "survey" | "comment"
    ref: str  # survey id or session id
    question: str | None
    message_id: int | None
    shown_at: datetime


@dataclass(frozen=True, slots=True)
class ExportRow:
    """A response with its answers and, when not anonymous, the person's names."""

    response: Response
    answers: dict[str, Answer]
    name: str | None = None
    username: str | None = None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def anonymous_day(moment: datetime) -> str:
    """The time kept on anonymous responses and answers: the UTC day, too coarse to join."""
    return moment.astimezone(UTC).date().isoformat()


# Anonymous responses get a random id in this range (named ones count up from 1).
_RANDOM_IDS = (1_000_000_000, 2**62)


def _response(row: aiosqlite.Row) -> Response:
    return Response(
        id=row["id"],
        survey_id=row["survey_id"],
        respondent=row["respondent"],
        user_id=row["user_id"],
        stakeholder=row["stakeholder"],
        language=row["language"],
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        completed_at=row["completed_at"],
    )


def _answer(row: aiosqlite.Row) -> Answer:
    raw = row["value"]
    return Answer(
        question_id=row["question_id"],
        value=None if raw is None else json.loads(raw),
        skipped=bool(row["skipped"]),
        draft=bool(row["draft"]),
        answered_at=row["answered_at"],
    )


class SurveysRepo:
    """Reads and writes survey responses, answers and answer cursors."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- responses ---------------------------------------------------------------------

    async def find(
        self, survey_id: str, user_id: int, *, anonymous: bool = False
    ) -> Response | None:
        """The person's response: named, or anonymous and still in progress (else None)."""
        if anonymous:
            row = await self.db.fetchone(
                "SELECT r.* FROM survey_anon_progress p JOIN survey_responses r"
                " ON r.id = p.response_id WHERE p.survey_id = ? AND p.user_id = ?",
                (survey_id, user_id),
            )
        else:
            row = await self.db.fetchone(
                "SELECT * FROM survey_responses WHERE survey_id = ? AND user_id = ?",
                (survey_id, user_id),
            )
        return None if row is None else _response(row)

    async def finished_anonymously(self, survey_id: str, user_id: int) -> bool:
        """Whether the person has completed this anonymous survey (which response is unknown)."""
        row = await self.db.fetchone(
            "SELECT 1 FROM survey_anon_done WHERE survey_id = ? AND user_id = ?",
            (survey_id, user_id),
        )
        return row is not None

    async def start(
        self,
        survey_id: str,
        user_id: int,
        *,
        anonymous: bool,
        stakeholder: str | None,
        language: str | None,
        now: datetime,
    ) -> Response:
        """Create the person's response; an anonymous one is linked only through its progress."""
        async with self.db.transaction() as conn:
            if anonymous:
                stamp = anonymous_day(now)
                response_id = await self._free_random_id(conn)
                await conn.execute(
                    "INSERT INTO survey_responses (id, survey_id, respondent, user_id,"
                    " stakeholder, language, started_at, updated_at)"
                    " VALUES (?, ?, ?, NULL, ?, ?, ?, ?)",
                    (
                        response_id,
                        survey_id,
                        secrets.token_hex(8),
                        stakeholder,
                        language,
                        stamp,
                        stamp,
                    ),
                )
                await conn.execute(
                    "INSERT INTO survey_anon_progress (survey_id, user_id, response_id)"
                    " VALUES (?, ?, ?)",
                    (survey_id, user_id, response_id),
                )
            else:
                cursor = await conn.execute(
                    "INSERT INTO survey_responses (survey_id, respondent, user_id, stakeholder,"
                    " language, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        survey_id,
                        secrets.token_hex(8),
                        user_id,
                        stakeholder,
                        language,
                        _iso(now),
                        _iso(now),
                    ),
                )
                response_id = int(cursor.lastrowid or 0)
            row = await (
                await conn.execute("SELECT * FROM survey_responses WHERE id = ?", (response_id,))
            ).fetchone()
        assert row is not None
        return _response(row)

    @staticmethod
    async def _free_random_id(conn: aiosqlite.Connection) -> int:
        while True:
            candidate = secrets.randbelow(_RANDOM_IDS[1] - _RANDOM_IDS[0]) + _RANDOM_IDS[0]
            async with conn.execute(
                "SELECT 1 FROM survey_responses WHERE id = ?", (candidate,)
            ) as cursor:
                if await cursor.fetchone() is None:
                    return candidate

    async def complete_anonymous(self, response_id: int, user_id: int, now: datetime) -> bool:
        """Complete an anonymous response and unlink it from its person, in one transaction.

        Deletes the in-progress link and the person's answer cursor of this survey, records that
        they finished. False if the link was already gone (completed before, or erased).
        """
        async with self.db.transaction() as conn:
            async with conn.execute(
                "DELETE FROM survey_anon_progress WHERE response_id = ? AND user_id = ?"
                " RETURNING survey_id",
                (response_id, user_id),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return False
            survey_id = row[0]
            await conn.execute(
                "UPDATE survey_responses SET completed_at = COALESCE(completed_at, ?) WHERE id = ?",
                (anonymous_day(now), response_id),
            )
            await conn.execute(
                "INSERT OR IGNORE INTO survey_anon_done (survey_id, user_id) VALUES (?, ?)",
                (survey_id, user_id),
            )
            await conn.execute(
                "DELETE FROM answer_cursors WHERE user_id = ? AND kind = 'survey' AND ref = ?",
                (user_id, survey_id),
            )
        # The deleted link must not linger in the write-ahead log either.
        await self.db.checkpoint()
        return True

    async def get(self, response_id: int) -> Response | None:
        """The response with this id."""
        row = await self.db.fetchone("SELECT * FROM survey_responses WHERE id = ?", (response_id,))
        return None if row is None else _response(row)

    async def answers(self, response_id: int) -> dict[str, Answer]:
        """Question id -> stored answer."""
        rows = await self.db.fetchall(
            "SELECT * FROM survey_answers WHERE response_id = ?", (response_id,)
        )
        return {row["question_id"]: _answer(row) for row in rows}

    async def save_answer(
        self,
        response_id: int,
        question_id: str,
        value: Any,
        *,
        now: datetime,
        skipped: bool = False,
        draft: bool = False,
    ) -> None:
        """Insert or replace one answer, at once (one short transaction)."""
        encoded = None if value is None else json.dumps(value, ensure_ascii=False)
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT user_id IS NULL FROM survey_responses WHERE id = ?", (response_id,)
            ) as cursor:
                row = await cursor.fetchone()
            stamp = anonymous_day(now) if row is not None and row[0] else _iso(now)
            await conn.execute(
                "INSERT INTO survey_answers (response_id, question_id, value, skipped, draft,"
                " answered_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(response_id, question_id)"
                " DO UPDATE SET value = excluded.value, skipped = excluded.skipped,"
                " draft = excluded.draft, answered_at = excluded.answered_at",
                (response_id, question_id, encoded, int(skipped), int(draft), stamp),
            )
            await conn.execute(
                "UPDATE survey_responses SET updated_at = ? WHERE id = ?", (stamp, response_id)
            )

    async def set_completed(self, response_id: int, now: datetime | None) -> None:
        """Mark a named response complete (``now``) or not (None); the first completion stays."""
        async with self.db.transaction() as conn:
            if now is None:
                await conn.execute(
                    "UPDATE survey_responses SET completed_at = NULL WHERE id = ?", (response_id,)
                )
            else:
                await conn.execute(
                    "UPDATE survey_responses SET completed_at = COALESCE(completed_at, ?)"
                    " WHERE id = ?",
                    (_iso(now), response_id),
                )

    async def counts(self) -> dict[str, tuple[int, int]]:
        """Survey id -> (responses with at least one answer, complete responses)."""
        rows = await self.db.fetchall(
            "SELECT r.survey_id, COUNT(*) AS total, COUNT(r.completed_at) AS complete"
            " FROM survey_responses r WHERE EXISTS (SELECT 1 FROM survey_answers a"
            " WHERE a.response_id = r.id) GROUP BY r.survey_id"
        )
        return {row["survey_id"]: (row["total"], row["complete"]) for row in rows}

    async def export(self, survey_id: str) -> list[ExportRow]:
        """Every response with answers, oldest first; names only for non-anonymous ones."""
        rows = await self.db.fetchall(
            "SELECT r.*, u.first_name, u.last_name, u.username FROM survey_responses r"
            " LEFT JOIN users u ON u.id = r.user_id WHERE r.survey_id = ?"
            " ORDER BY r.user_id IS NULL, r.id",
            (survey_id,),
        )
        answer_rows = await self.db.fetchall(
            "SELECT a.* FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id"
            " WHERE r.survey_id = ?",
            (survey_id,),
        )
        by_response: dict[int, dict[str, Answer]] = {}
        for row in answer_rows:
            by_response.setdefault(row["response_id"], {})[row["question_id"]] = _answer(row)
        result = []
        for row in rows:
            answers = by_response.get(row["id"])
            if not answers:
                continue
            name = None
            if row["user_id"] is not None:
                name = " ".join(p for p in (row["first_name"], row["last_name"]) if p) or None
            result.append(
                ExportRow(
                    _response(row),
                    answers,
                    name=name,
                    username=row["username"] if row["user_id"] is not None else None,
                )
            )
        return result

    # -- cursors -----------------------------------------------------------------------

    async def set_cursor(
        self,
        user_id: int,
        kind: str,
        ref: str,
        question: str | None,
        message_id: int | None,
        now: datetime,
    ) -> Cursor:
        """Remember what the person answers now (replaces the previous cursor)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO answer_cursors (user_id, kind, ref, question, message_id, shown_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
                " kind = excluded.kind, ref = excluded.ref, question = excluded.question,"
                " message_id = excluded.message_id, shown_at = excluded.shown_at",
                (user_id, kind, ref, question, message_id, _iso(now)),
            )
        return Cursor(user_id, kind, ref, question, message_id, now)

    async def clear_cursor(self, user_id: int) -> None:
        """Forget what the person was answering."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM answer_cursors WHERE user_id = ?", (user_id,))

    async def cursor(self, user_id: int) -> Cursor | None:
        """What the person answers now, if anything."""
        row = await self.db.fetchone("SELECT * FROM answer_cursors WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return Cursor(
            row["user_id"],
            row["kind"],
            row["ref"],
            row["question"],
            row["message_id"],
            datetime.fromisoformat(row["shown_at"]),
        )
