"""Programme changes found by a content reload, kept for alerts and for the record."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database

KINDS = ("added", "moved", "reroomed", "cancelled", "retitled")


@dataclass(frozen=True, slots=True)
class StoredChange:
    """One recorded change of a session."""

    id: int
    session_id: str
    kind: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detected_at: str
    fingerprint: str | None


class ContentChangesRepo:
    """Reads and writes ``content_changes``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        changes: Iterable[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]],
        *,
        now: datetime,
        fingerprint: str | None,
    ) -> int:
        """Store ``(session_id, kind, before, after)`` rows; returns how many."""
        rows = [
            (
                session_id,
                kind,
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
                now.isoformat(timespec="seconds"),
                fingerprint,
            )
            for session_id, kind, before, after in changes
        ]
        for row in rows:
            if row[1] not in KINDS:
                raise ValueError(f"unknown change kind {row[1]!r}")
        if rows:
            async with self.db.transaction() as conn:
                await conn.executemany(
                    "INSERT INTO content_changes"
                    " (session_id, kind, before_json, after_json, detected_at, fingerprint)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
        return len(rows)

    async def all(self, session_id: str | None = None) -> list[StoredChange]:
        """Recorded changes, oldest first (of one session if given)."""
        sql = "SELECT * FROM content_changes"
        params: tuple[Any, ...] = ()
        if session_id is not None:
            sql += " WHERE session_id = ?"
            params = (session_id,)
        rows = await self.db.fetchall(sql + " ORDER BY id", params)
        return [
            StoredChange(
                r["id"],
                r["session_id"],
                r["kind"],
                None if r["before_json"] is None else json.loads(r["before_json"]),
                None if r["after_json"] is None else json.loads(r["after_json"]),
                r["detected_at"],
                r["fingerprint"],
            )
            for r in rows
        ]
