"""Broadcasts (organizer messages) and the audience queries of the delivery services."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import Database
from storage.outbox import stamp
from storage.users import forget as forget_users


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A stored broadcast (a draft until it is scheduled or sent)."""

    id: int
    created_by: int
    created_at: str
    state: str
    audience: dict[str, Any]
    texts: dict[str, str]
    button: dict[str, Any] | None
    scheduled_at: str | None
    started_at: str | None
    finished_at: str | None
    total: int
    status_chat_id: int | None
    status_message_id: int | None
    reported: bool
    awaiting: str | None = None  # the organizer's next message: 'text', 'when' or None


# The reminder lead time of a person who never chose one (the users column's default).
DEFAULT_REMINDER_MINUTES = 10


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who gets a message, with what a language needs."""

    id: int
    language: str | None
    language_code: str | None
    reminder_minutes: int = DEFAULT_REMINDER_MINUTES


def _broadcast(r: aiosqlite.Row) -> Broadcast:
    return Broadcast(
        id=r["id"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        state=r["state"],
        audience=json.loads(r["audience"]),
        texts=json.loads(r["texts"]),
        button=json.loads(r["button"]) if r["button"] else None,
        scheduled_at=r["scheduled_at"],
        started_at=r["started_at"],
        finished_at=r["finished_at"],
        total=r["total"],
        status_chat_id=r["status_chat_id"],
        status_message_id=r["status_message_id"],
        reported=bool(r["reported"]),
        awaiting=r["awaiting"],
    )


_FIELDS = {
    "state", "audience", "texts", "button", "scheduled_at", "started_at", "finished_at",
    "total", "status_chat_id", "status_message_id", "reported", "awaiting",
}  # fmt: skip


class BroadcastsRepo:
    """Reads and writes ``broadcasts``; answers who is in an audience."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, created_by: int, now: datetime) -> Broadcast:
        """A new draft."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO broadcasts (created_by, created_at) VALUES (?, ?)",
                (created_by, stamp(now)),
            )
            new_id = cursor.lastrowid
        found = await self.get(int(new_id or 0))
        assert found is not None
        return found

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """The broadcast, or None."""
        row = await self.db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return None if row is None else _broadcast(row)

    async def update(
        self, broadcast_id: int, *, expect_state: str | None = None, **fields: Any
    ) -> bool:
        """Change fields (JSON ones given as Python values); False if the state did not match."""
        unknown = set(fields) - _FIELDS
        if unknown:
            raise ValueError(f"unknown broadcast fields {unknown}")
        values = []
        for name, value in fields.items():
            if name in ("audience", "texts", "button") and value is not None:
                value = json.dumps(value, ensure_ascii=False)
            values.append(value)
        sql = "UPDATE broadcasts SET " + ", ".join(f"{n} = ?" for n in fields) + " WHERE id = ?"
        params = [*values, broadcast_id]
        if expect_state is not None:
            sql += " AND state = ?"
            params.append(expect_state)
        async with self.db.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount > 0

    async def latest_draft(self, created_by: int) -> Broadcast | None:
        """The organizer's draft being composed, if any."""
        row = await self.db.fetchone(
            "SELECT * FROM broadcasts WHERE created_by = ? AND state = 'draft'"
            " ORDER BY id DESC LIMIT 1",
            (created_by,),
        )
        return None if row is None else _broadcast(row)

    async def in_states(self, *states: str) -> list[Broadcast]:
        """Broadcasts in any of these states, oldest first."""
        marks = ",".join("?" * len(states))
        rows = await self.db.fetchall(
            f"SELECT * FROM broadcasts WHERE state IN ({marks}) ORDER BY id", states
        )
        return [_broadcast(r) for r in rows]

    async def recent(self, limit: int = 10) -> list[Broadcast]:
        """Scheduled, running and past broadcasts (no drafts), newest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM broadcasts WHERE state != 'draft' ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_broadcast(r) for r in rows]

    async def due_scheduled(self, now: datetime) -> list[Broadcast]:
        """Scheduled broadcasts whose moment has come."""
        rows = await self.db.fetchall(
            "SELECT * FROM broadcasts WHERE state = 'scheduled' AND scheduled_at <= ? ORDER BY id",
            (stamp(now),),
        )
        return [_broadcast(r) for r in rows]

    # ------------------------------------------------------------------ audiences
    async def audience(self, kind: str, value: str | None = None) -> list[Recipient]:
        """Active (not blocked) users of an audience, in id order.

        ``all``; ``language`` (value: kk/ru/en, matched in Python by the caller's rule);
        ``group`` (stakeholder); ``starred`` (value: session id); ``survey`` (value: survey id:
        people who have not completed it; for an anonymous survey, who has finished is known,
        though not which response is theirs).
        """
        base = "SELECT u.id, u.language, u.language_code, u.reminder_minutes FROM users u"
        where = ["u.blocked = 0"]
        params: list[Any] = []
        if kind == "group":
            where.append("u.stakeholder = ?")
            params.append(value)
        elif kind == "starred":
            where.append("u.id IN (SELECT user_id FROM stars WHERE session_id = ?)")
            params.append(value)
        elif kind == "survey":
            where.append(
                "u.id NOT IN (SELECT user_id FROM survey_responses WHERE survey_id = ?"
                " AND user_id IS NOT NULL AND completed_at IS NOT NULL)"
                " AND u.id NOT IN (SELECT user_id FROM survey_anon_done WHERE survey_id = ?)"
            )
            params += [value, value]
        elif kind not in ("all", "language"):
            raise ValueError(f"unknown audience {kind!r}")
        rows = await self.db.fetchall(f"{base} WHERE {' AND '.join(where)} ORDER BY u.id", params)
        return [Recipient(r[0], r[1], r[2], r[3]) for r in rows]

    async def starrers(self, session_ids: list[str]) -> dict[str, list[Recipient]]:
        """Active users who starred each session."""
        if not session_ids:
            return {}
        marks = ",".join("?" * len(session_ids))
        rows = await self.db.fetchall(
            "SELECT s.session_id, u.id, u.language, u.language_code, u.reminder_minutes"
            " FROM stars s JOIN users u ON u.id = s.user_id"
            f" WHERE u.blocked = 0 AND s.session_id IN ({marks}) ORDER BY u.id",
            session_ids,
        )
        found: dict[str, list[Recipient]] = {}
        for r in rows:
            found.setdefault(r[0], []).append(Recipient(r[1], r[2], r[3], r[4]))
        return found

    async def starred_sessions(self) -> dict[str, int]:
        """Session id -> how many active users starred it."""
        rows = await self.db.fetchall(
            "SELECT s.session_id, COUNT(*) FROM stars s JOIN users u ON u.id = s.user_id"
            " WHERE u.blocked = 0 GROUP BY s.session_id"
        )
        return {r[0]: r[1] for r in rows}

    async def reminder_minutes(self, user_id: int) -> int:
        """A user's reminder lead time in minutes (0: off)."""
        value = await self.db.fetchval(
            "SELECT reminder_minutes FROM users WHERE id = ?", (user_id,)
        )
        return DEFAULT_REMINDER_MINUTES if value is None else int(value)

    async def set_reminder_minutes(self, user_id: int, minutes: int) -> None:
        """Store a user's reminder lead time (0: off)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE users SET reminder_minutes = ? WHERE id = ?", (minutes, user_id)
            )
            forget_users(self.db, (user_id,))
