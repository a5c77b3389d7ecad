"""Team roles and one-time invitations (tables ``team_members`` and ``team_invites``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database


@dataclass(frozen=True, slots=True)
class Member:
    """A stored role: ``scope`` None means every session (moderator) or topic (reviewer)."""

    user_id: int
    role: str
    scope: tuple[str, ...] | None
    granted_by: int | None
    granted_at: str


@dataclass(frozen=True, slots=True)
class Invite:
    """A stored invitation."""

    token: str
    role: str
    scope: tuple[str, ...] | None
    created_by: int
    created_at: str
    expires_at: str
    used_by: int | None
    used_at: str | None


def _scope(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(json.loads(text))


def _scope_json(scope: tuple[str, ...] | None) -> str | None:
    return None if scope is None else json.dumps(list(scope))


def _member(row: aiosqlite.Row) -> Member:
    return Member(
        row["user_id"], row["role"], _scope(row["scope"]), row["granted_by"], row["granted_at"]
    )


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite(
        row["token"],
        row["role"],
        _scope(row["scope"]),
        row["created_by"],
        row["created_at"],
        row["expires_at"],
        row["used_by"],
        row["used_at"],
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class TeamRepo:
    """Reads and writes team roles and invitations."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def members(self) -> list[Member]:
        """Every stored role, in the order they were granted."""
        rows = await self.db.fetchall("SELECT * FROM team_members ORDER BY granted_at, user_id")
        return [_member(r) for r in rows]

    async def set_role(
        self,
        user_id: int,
        role: str,
        scope: tuple[str, ...] | None,
        granted_by: int | None,
        now: datetime,
    ) -> None:
        """Give ``user_id`` this role (replacing the one they had)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO team_members(user_id, role, scope, granted_by, granted_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
                " role = excluded.role, scope = excluded.scope,"
                " granted_by = excluded.granted_by, granted_at = excluded.granted_at",
                (user_id, role, _scope_json(scope), granted_by, _iso(now)),
            )

    async def remove(self, user_id: int) -> bool:
        """Take the role away; False if there was none."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM team_members WHERE user_id = ?", (user_id,))
            return cursor.rowcount > 0

    async def add_invite(
        self,
        token: str,
        role: str,
        scope: tuple[str, ...] | None,
        created_by: int,
        now: datetime,
        expires: datetime,
    ) -> None:
        """Store a new invitation."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO team_invites(token, role, scope, created_by, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (token, role, _scope_json(scope), created_by, _iso(now), _iso(expires)),
            )

    async def invite(self, token: str) -> Invite | None:
        """The invitation with this token, or None."""
        row = await self.db.fetchone("SELECT * FROM team_invites WHERE token = ?", (token,))
        return None if row is None else _invite(row)

    async def use_invite(self, token: str, user_id: int, now: datetime) -> bool:
        """Mark the invitation used by ``user_id`` unless it already was (atomic)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE team_invites SET used_by = ?, used_at = ?"
                " WHERE token = ? AND used_by IS NULL",
                (user_id, _iso(now), token),
            )
            return cursor.rowcount > 0
