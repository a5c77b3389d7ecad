"""Users: who has talked to the bot, their language, group and consent.

The row is the one source of truth about a person (language, blocked, group): nothing keeps a
copy in memory across updates, so a write by any part of the bot (the sender marking a block,
/language, /deleteme) is what the next update sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database
from storage.erasure import erase_person

STAKEHOLDER_GROUPS: tuple[str, ...] = (
    "government",
    "parliament",
    "ngo",
    "business",
    "science",
    "media",
    "international",
    "other",
)


@dataclass(frozen=True, slots=True)
class User:
    """A stored user."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    language: str | None
    stakeholder: str | None
    onboarded: bool
    consent_version: str | None
    blocked: bool
    first_seen: str
    last_seen: str

    @property
    def display_name(self) -> str:
        """First and last name as Telegram shows them."""
        return " ".join(p for p in (self.first_name, self.last_name) if p) or str(self.id)


def _user(row: aiosqlite.Row) -> User:
    return User(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        language_code=row["language_code"],
        language=row["language"],
        stakeholder=row["stakeholder"],
        onboarded=bool(row["onboarded"]),
        consent_version=row["consent_version"],
        blocked=bool(row["blocked"]),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class UsersRepo:
    """Reads and writes the ``users`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> User | None:
        """The user, or None if unknown."""
        row = await self.db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else _user(row)

    async def upsert_seen(
        self,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        now: datetime,
    ) -> User:
        """Insert a new user or refresh the Telegram profile fields and last_seen."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO users (id, first_name, last_name, username, language_code,"
                " first_seen, last_seen, blocked) VALUES (?, ?, ?, ?, ?, ?, ?, 0)"
                " ON CONFLICT(id) DO UPDATE SET first_name = excluded.first_name,"
                " last_name = excluded.last_name, username = excluded.username,"
                " language_code = excluded.language_code, last_seen = excluded.last_seen,"
                " blocked = 0 RETURNING *",
                (user_id, first_name, last_name, username, language_code, _iso(now), _iso(now)),
            )
            row = await cursor.fetchone()
            await cursor.close()
        assert row is not None
        return _user(row)

    async def set_language(self, user_id: int, language: str) -> None:
        """Store the user's chosen language."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE users SET language = ? WHERE id = ?", (language, user_id))

    async def set_stakeholder(self, user_id: int, group: str | None) -> None:
        """Store the stakeholder group (None: skipped) and mark onboarding done."""
        if group is not None and group not in STAKEHOLDER_GROUPS:
            raise ValueError(f"unknown stakeholder group {group!r}")
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE users SET stakeholder = ?, onboarded = 1 WHERE id = ?", (group, user_id)
            )

    async def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        """Mark that the user blocked the bot (403): never message them until they return."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE users SET blocked = ? WHERE id = ?", (int(blocked), user_id))

    async def delete(self, user_id: int) -> bool:
        """/deleteme: erase the person in one transaction (what goes and what stays nameless:
        storage/erasure.py). False if there was no such user."""
        async with self.db.transaction() as conn:
            return await erase_person(conn, user_id)

    async def count(self, *, active_only: bool = False) -> int:
        """How many users there are (active: not blocked)."""
        sql = "SELECT COUNT(*) FROM users" + (" WHERE blocked = 0" if active_only else "")
        return int(await self.db.fetchval(sql))

    async def ids(
        self,
        *,
        languages: Iterable[str] | None = None,
        stakeholder: str | None = None,
        include_blocked: bool = False,
    ) -> list[int]:
        """User ids of a segment, in id order."""
        where, params = [], []
        if not include_blocked:
            where.append("blocked = 0")
        if stakeholder is not None:
            where.append("stakeholder = ?")
            params.append(stakeholder)
        sql = "SELECT id, language, language_code FROM users"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = await self.db.fetchall(sql + " ORDER BY id", params)
        if languages is None:
            return [r["id"] for r in rows]
        wanted = set(languages)
        return [r["id"] for r in rows if (r["language"] or r["language_code"]) in wanted]
