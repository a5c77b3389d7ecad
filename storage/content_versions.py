"""The content versions the bot applied: the YAML of each and whether its hooks ran."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database


@dataclass(frozen=True, slots=True)
class ContentVersion:
    """One applied version."""

    id: int
    fingerprint: str
    source: bytes
    hooks_done: bool


class ContentVersionsRepo:
    """Reads and writes ``content_versions``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def latest(self, count: int = 1) -> list[ContentVersion]:
        """The newest ``count`` versions, newest first."""
        rows = await self.db.fetchall(
            "SELECT id, fingerprint, source, hooks_done_at FROM content_versions"
            " ORDER BY id DESC LIMIT ?",
            (count,),
        )
        return [
            ContentVersion(
                r["id"], r["fingerprint"], bytes(r["source"]), r["hooks_done_at"] is not None
            )
            for r in rows
        ]

    async def add(self, fingerprint: str, source: bytes, now: datetime, *, hooks_done: bool) -> int:
        """Record an applied version (inside the caller's transaction, if any)."""
        stamp = now.isoformat(timespec="seconds")
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO content_versions(fingerprint, source, applied_at, hooks_done_at)"
                " VALUES (?, ?, ?, ?)",
                (fingerprint, source, stamp, stamp if hooks_done else None),
            )
            return int(cursor.lastrowid or 0)

    async def mark_hooks_done(self, version_id: int, now: datetime) -> None:
        """The version's hooks have run."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE content_versions SET hooks_done_at = ? WHERE id = ?",
                (now.isoformat(timespec="seconds"), version_id),
            )
