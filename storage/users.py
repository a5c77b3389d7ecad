"""Users: who has talked to the bot, their language, group and consent.

The row is the one source of truth about a person (language, blocked, group). Every update
reads it (the prelude), so rows read are kept in memory for the next update, and every writer
of the ``users`` table forgets the rows it writes (:func:`forget`): a write by any part of the
bot (the sender marking a block, /language, /deleteme) is what the next update sees. A row is
kept only when no write of it was in progress while it was read (storage/kept.py), so a copy
never outlives a write, committed or rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import Database
from storage.erasure import erase_person
from storage.kept import KeptPerDatabase
from storage.stars import forget as forget_stars

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


# Rows kept at most (about 2 MB): the people active at a forum; the others are read again.
ROWS_KEPT = 10_000
# The rows as last committed (storage/kept.py: every writer forgets the row before it writes,
# and the person stays busy until that write's outcome is final).
_KEPT: KeptPerDatabase[User] = KeptPerDatabase(ROWS_KEPT)


def forget(db: Database, user_ids: Iterable[int]) -> None:
    """Drop the kept rows of ``user_ids`` until the transaction writing them ends: EVERY
    statement that writes ``users`` calls this (or goes through ``UsersRepo._update``), inside
    its transaction (tests/unit/test_lean_path.py finds the writers)."""
    _KEPT.of(db).forget(db, user_ids)


class UsersRepo:
    """Reads and writes the ``users`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> User | None:
        """The user, or None if unknown (the kept row when no write can have changed it)."""
        return await _KEPT.of(self.db).read(user_id, lambda: self._read(user_id))

    async def _read(self, user_id: int) -> User | None:
        row = await self.db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else _user(row)

    async def many(self, user_ids: Iterable[int]) -> dict[int, User]:
        """The known ones of ``user_ids``, read in a few queries (a hall's audience, a poll's)."""
        ids = list(dict.fromkeys(user_ids))
        found: dict[int, User] = {}
        for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = await self.db.fetchall(f"SELECT * FROM users WHERE id IN ({marks})", chunk)
            found.update((user.id, user) for user in map(_user, rows))
        return found

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
            forget(self.db, (user_id,))
        assert row is not None
        user = _user(row)
        # Committed just now, nothing written since (inside a caller's transaction the person
        # is still busy, and nothing is kept).
        _KEPT.of(self.db).keep(user_id, user)
        return user

    async def _update(self, user_id: int, sql: str, params: tuple[object, ...], **new: Any) -> None:
        """One UPDATE of the user's row, in one trip to the writer (:meth:`Database.write`);
        the kept copy becomes what was written (no re-read)."""
        rows = _KEPT.of(self.db)
        # The committed row: a row is kept only while no write of it is queued or open, and
        # from here on this one holds it busy until its outcome is final.
        kept = rows.get(user_id)
        await self.db.write(sql, params, ended=rows.forget_until((user_id,)))
        if kept is not None:  # written just now (in a caller's transaction: still busy)
            rows.keep(user_id, replace(kept, **new))

    async def set_language(self, user_id: int, language: str) -> None:
        """Store the user's chosen language."""
        await self._update(
            user_id,
            "UPDATE users SET language = ? WHERE id = ?",
            (language, user_id),
            language=language,
        )

    async def set_stakeholder(self, user_id: int, group: str | None) -> None:
        """Store the stakeholder group (None: skipped) and mark onboarding done."""
        if group is not None and group not in STAKEHOLDER_GROUPS:
            raise ValueError(f"unknown stakeholder group {group!r}")
        await self._update(
            user_id,
            "UPDATE users SET stakeholder = ?, onboarded = 1 WHERE id = ?",
            (group, user_id),
            stakeholder=group,
            onboarded=True,
        )

    async def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        """Mark that the user blocked the bot (403): never message them until they return."""
        await self._update(
            user_id,
            "UPDATE users SET blocked = ? WHERE id = ?",
            (int(blocked), user_id),
            blocked=blocked,
        )

    async def delete(self, user_id: int) -> bool:
        """/deleteme: erase the person in one transaction (what goes and what stays nameless:
        storage/erasure.py). False if there was no such user."""
        async with self.db.transaction() as conn:
            await erase_person(conn, user_id)
            deleted = await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
            forget(self.db, (user_id,))
            forget_stars(self.db, (user_id,))  # deleted with the row (ON DELETE CASCADE)
        # The erased rows must not survive in the write-ahead log's old frames either
        # (secure_delete only clears the database file's pages). Inside a caller's transaction
        # this is skipped; that caller checkpoints after its commit (bot/services/erasure.py).
        await self.db.checkpoint()
        return deleted.rowcount > 0

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
