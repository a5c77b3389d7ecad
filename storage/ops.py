"""Operational figures and checks: heartbeat write, outbox backlog, user counts, kept secrets."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.outbox import STATES, stamp

_SECRET_MARK = "webhook_secret"


class OpsRepo:
    """Reads the figures /healthz, /metrics and /status show."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def heartbeat(self, now: datetime) -> None:
        """Write one row: raises when the database cannot be written."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO heartbeat(id, at) VALUES (1, ?)"
                " ON CONFLICT(id) DO UPDATE SET at = excluded.at",
                (stamp(now),),
            )

    async def outbox_states(self) -> dict[str, int]:
        """Outbox rows per state (every state present, 0 if none)."""
        rows = await self.db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        found = dict.fromkeys(STATES, 0)
        found.update({r[0]: r[1] for r in rows})
        return found

    async def oldest_due(self, now: datetime) -> str | None:
        """When the oldest message that may go now was queued (paused broadcasts excluded)."""
        value = await self.db.fetchval(
            "SELECT MIN(MAX(created_at, COALESCE(not_before, ''))) FROM outbox"
            " WHERE state IN ('pending', 'sending') AND (not_before IS NULL OR not_before <= ?)"
            " AND (broadcast_id IS NULL OR broadcast_id IN"
            "      (SELECT id FROM broadcasts WHERE state = 'sending'))",
            (stamp(now),),
        )
        return None if value is None else str(value)

    async def users(self, active_since: datetime) -> tuple[int, int]:
        """(users registered, users seen since ``active_since``)."""
        row = await self.db.fetchone(
            "SELECT COUNT(*), COALESCE(SUM(last_seen >= ?), 0) FROM users",
            (active_since.isoformat(timespec="seconds"),),
        )
        assert row is not None
        return int(row[0]), int(row[1])

    async def kept_secret(self, candidate: str) -> str:
        """The webhook secret kept in the database; ``candidate`` is stored if there is none."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO delivery_marks(name, value) VALUES (?, ?)"
                " ON CONFLICT(name) DO NOTHING",
                (_SECRET_MARK, candidate),
            )
        value = await self.db.fetchval(
            "SELECT value FROM delivery_marks WHERE name = ?", (_SECRET_MARK,)
        )
        return str(value)
