"""The outbox: one row per message to deliver, with its state and the delivery's outcome.

Moments are stored as fixed-width UTC text (``stamp``) so that SQL compares them as strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from storage.db import Database
from storage.users import forget as forget_users

STATES: tuple[str, ...] = ("pending", "sending", "sent", "failed", "blocked", "skipped")


def stamp(moment: datetime) -> str:
    """A moment as sortable UTC text, e.g. ``2018-11-14T04:30:00.000000Z``."""
    if moment.tzinfo is None:
        raise ValueError("stamp needs an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str | None) -> datetime | None:
    """The inverse of :func:`stamp` (None stays None)."""
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class NewRow:
    """A row to insert."""

    dedup_key: str
    user_id: int
    kind: str
    text: str
    reply_markup: str | None = None
    parse_mode: str | None = None
    priority: int = 1
    broadcast_id: int | None = None
    not_before: str | None = None
    expires_at: str | None = None
    coalesce_key: str | None = None
    meta: str | None = None
    state: str = "pending"
    error: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A row the sender works on."""

    id: int
    user_id: int
    kind: str
    broadcast_id: int | None
    text: str
    reply_markup: str | None
    parse_mode: str | None
    attempts: int
    expires_at: str | None


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of one send, applied in a batch."""

    row_id: int
    user_id: int
    state: str  # sent, pending (retry), failed, blocked, skipped
    telegram_message_id: int | None = None
    error: str | None = None
    next_attempt_at: str | None = None
    undo_attempt: bool = False  # a 429: the attempt does not count


def _row(r: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=r["id"],
        user_id=r["user_id"],
        kind=r["kind"],
        broadcast_id=r["broadcast_id"],
        text=r["text"],
        reply_markup=r["reply_markup"],
        parse_mode=r["parse_mode"],
        attempts=r["attempts"],
        expires_at=r["expires_at"],
    )


class OutboxRepo:
    """Reads and writes the ``outbox`` table (and ``delivery_marks``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _text(self, sql: str, params: Sequence[object] = ()) -> str | None:
        value = await self.db.fetchval(sql, params)
        return None if value is None else str(value)

    async def insert(self, rows: Iterable[NewRow], now: datetime) -> int:
        """Insert rows whose dedup key is new; returns how many were inserted."""
        created = stamp(now)
        params = [
            (
                r.dedup_key, r.user_id, r.kind, r.priority, r.broadcast_id, r.text,
                r.reply_markup, r.parse_mode, r.state, r.not_before, r.expires_at,
                r.coalesce_key, r.meta, r.error, created,
            )
            for r in rows
        ]  # fmt: skip
        if not params:
            return 0
        async with self.db.transaction() as conn:
            before = conn.total_changes
            await conn.executemany(
                "INSERT OR IGNORE INTO outbox (dedup_key, user_id, kind, priority, broadcast_id,"
                " text, reply_markup, parse_mode, state, not_before, expires_at, coalesce_key,"
                " meta, error, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                params,
            )
            return conn.total_changes - before

    async def pending_coalesced(self, coalesce_key: str) -> aiosqlite.Row | None:
        """The pending row with this coalescing key that has not been claimed yet."""
        return await self.db.fetchone(
            "SELECT id, text, reply_markup, meta, not_before FROM outbox"
            " WHERE coalesce_key = ? AND state = 'pending' ORDER BY id DESC LIMIT 1",
            (coalesce_key,),
        )

    async def update_pending(
        self, row_id: int, *, text: str, reply_markup: str | None, meta: str | None
    ) -> bool:
        """Replace a still-pending row's content (a merged alert); False if it went meanwhile."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET text = ?, reply_markup = ?, meta = ?"
                " WHERE id = ? AND state = 'pending'",
                (text, reply_markup, meta, row_id),
            )
            return cursor.rowcount > 0

    async def exists(self, dedup_key: str) -> bool:
        """Whether a row with this key was ever queued."""
        return (
            await self.db.fetchval("SELECT 1 FROM outbox WHERE dedup_key = ?", (dedup_key,))
        ) is not None

    async def recover_in_flight(self) -> int:
        """Rows left in 'sending' by a dead process go back to 'pending' (they are resent)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET state = 'pending',"
                " error = 'in flight at a restart: sent again (possibly a duplicate)'"
                " WHERE state = 'sending'"
            )
            return cursor.rowcount

    async def settle_unsendable(self, now: datetime) -> int:
        """Pending rows to blocked users become 'blocked'; expired ones 'skipped'."""
        async with self.db.transaction() as conn:
            a = await conn.execute(
                "UPDATE outbox SET state = 'blocked', error = 'the user blocked the bot'"
                " WHERE state = 'pending' AND user_id IN (SELECT id FROM users WHERE blocked = 1)"
            )
            b = await conn.execute(
                "UPDATE outbox SET state = 'skipped', error = 'expired before it could be sent'"
                " WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?",
                (stamp(now),),
            )
            return a.rowcount + b.rowcount

    async def due(
        self, now: datetime, limit: int, exclude_users: Sequence[int] = ()
    ) -> list[OutboxRow]:
        """Pending rows that may go now, most urgent first (paused broadcasts wait)."""
        sql = (
            "SELECT id, user_id, kind, broadcast_id, text, reply_markup, parse_mode, attempts,"
            " expires_at FROM outbox WHERE state = 'pending'"
            " AND (not_before IS NULL OR not_before <= ?)"
            " AND (broadcast_id IS NULL OR broadcast_id IN"
            "      (SELECT id FROM broadcasts WHERE state = 'sending'))"
        )
        params: list[Any] = [stamp(now)]
        if exclude_users and len(exclude_users) <= 500:
            sql += f" AND user_id NOT IN ({','.join('?' * len(exclude_users))})"
            params.extend(exclude_users)
        sql += " ORDER BY priority, id LIMIT ?"
        params.append(limit)
        return [_row(r) for r in await self.db.fetchall(sql, params)]

    async def next_due_at(self) -> str | None:
        """The earliest not_before / next_attempt_at of a pending row in the future, if any."""
        return await self._text(
            "SELECT MIN(MAX(COALESCE(not_before, ''), COALESCE(next_attempt_at, '')))"
            " FROM outbox WHERE state = 'pending'"
        )

    async def claim(self, ids: Sequence[int], now: datetime) -> int:
        """Mark rows 'sending' (committed before any HTTP call); returns how many were claimed."""
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
                f" next_attempt_at = NULL WHERE state = 'pending' AND id IN ({marks})",
                list(ids),
            )
            return cursor.rowcount

    async def apply(self, results: Sequence[Result], now: datetime) -> None:
        """Record a batch of outcomes in one transaction; a 403 also marks the user blocked."""
        if not results:
            return
        sent_at = stamp(now)
        async with self.db.transaction() as conn:
            sent = [
                (r.telegram_message_id, sent_at, r.row_id) for r in results if r.state == "sent"
            ]
            if sent:
                await conn.executemany(
                    "UPDATE outbox SET state = 'sent', telegram_message_id = ?, sent_at = ?,"
                    " error = NULL WHERE id = ?",
                    sent,
                )
            other = [
                (r.state, r.error, r.next_attempt_at, 1 if r.undo_attempt else 0, r.row_id)
                for r in results
                if r.state != "sent"
            ]
            if other:
                await conn.executemany(
                    "UPDATE outbox SET state = ?, error = ?, next_attempt_at = ?,"
                    " attempts = attempts - ? WHERE id = ?",
                    other,
                )
            blocked = sorted({r.user_id for r in results if r.state == "blocked"})
            if blocked:
                marks = ",".join("?" * len(blocked))
                await conn.execute(f"UPDATE users SET blocked = 1 WHERE id IN ({marks})", blocked)
                forget_users(self.db, blocked)
                await conn.execute(
                    "UPDATE outbox SET state = 'blocked', error = 'the user blocked the bot'"
                    f" WHERE state = 'pending' AND user_id IN ({marks})",
                    blocked,
                )

    async def counts(
        self, broadcast_id: int | None = None, kind: str | None = None
    ) -> dict[str, int]:
        """Rows per state (of one broadcast or kind, or all)."""
        where: list[str] = []
        params: list[str | int] = []
        if broadcast_id is not None:
            where.append("broadcast_id = ?")
            params.append(broadcast_id)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        sql = "SELECT state, COUNT(*) FROM outbox"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = await self.db.fetchall(sql + " GROUP BY state", params)
        found = {state: 0 for state in STATES}
        found.update({r[0]: r[1] for r in rows})
        return found

    async def problems(self, broadcast_id: int) -> list[aiosqlite.Row]:
        """Failed, blocked and skipped rows of a broadcast, for its report."""
        return await self.db.fetchall(
            "SELECT o.user_id, o.state, o.error, o.attempts, u.first_name, u.username"
            " FROM outbox o LEFT JOIN users u ON u.id = o.user_id"
            " WHERE o.broadcast_id = ? AND o.state IN ('failed', 'blocked', 'skipped')"
            " ORDER BY o.user_id",
            (broadcast_id,),
        )

    async def skip_pending(
        self, *, broadcast_id: int | None = None, dedup_prefix: str | None = None, reason: str
    ) -> int:
        """Mark pending rows of a broadcast (or with a key prefix) 'skipped'."""
        sql = "UPDATE outbox SET state = 'skipped', error = ? WHERE state = 'pending'"
        params: list[Any] = [reason]
        if broadcast_id is not None:
            sql += " AND broadcast_id = ?"
            params.append(broadcast_id)
        if dedup_prefix is not None:
            sql += " AND dedup_key LIKE ? ESCAPE '\\'"
            params.append(_like_prefix(dedup_prefix))
        async with self.db.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def keys_with_prefix(self, dedup_prefix: str) -> set[str]:
        """Dedup keys starting with ``dedup_prefix`` in any state: what was queued already.

        A range on the unique index, so a producer can skip what it queued before instead of
        building thousands of messages that the insert would ignore."""
        if not dedup_prefix:
            return set()
        upper = dedup_prefix[:-1] + chr(ord(dedup_prefix[-1]) + 1)
        rows = await self.db.fetchall(
            "SELECT dedup_key FROM outbox WHERE dedup_key >= ? AND dedup_key < ?",
            (dedup_prefix, upper),
        )
        return {r[0] for r in rows}

    async def delete_pending(self, dedup_prefix: str) -> int:
        """Forget pending rows whose key starts with ``dedup_prefix`` (they may be queued anew)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM outbox WHERE state = 'pending' AND dedup_key LIKE ? ESCAPE '\\'",
                (_like_prefix(dedup_prefix),),
            )
            return cursor.rowcount

    async def get_mark(self, name: str) -> str | None:
        """A stored mark."""
        return await self._text("SELECT value FROM delivery_marks WHERE name = ?", (name,))

    async def set_mark(self, name: str, value: str) -> None:
        """Store a mark."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO delivery_marks(name, value) VALUES (?, ?)"
                " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (name, value),
            )


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
