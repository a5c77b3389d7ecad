"""Stars: the sessions each person put into "my agenda"."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class StarsRepo:
    """Reads and writes the ``stars`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def star(self, user_id: int, session_id: str, now: datetime) -> bool:
        """Star a session; False if it was already starred."""
        added = await self.db.write(
            "INSERT OR IGNORE INTO stars (user_id, session_id, starred_at) VALUES (?, ?, ?)",
            (user_id, session_id, _iso(now)),
        )
        return added > 0

    async def unstar(self, user_id: int, session_id: str) -> bool:
        """Remove a star; False if there was none."""
        removed = await self.db.write(
            "DELETE FROM stars WHERE user_id = ? AND session_id = ?", (user_id, session_id)
        )
        return removed > 0

    async def is_starred(self, user_id: int, session_id: str) -> bool:
        """Whether the person starred the session."""
        found = await self.db.fetchval(
            "SELECT 1 FROM stars WHERE user_id = ? AND session_id = ?", (user_id, session_id)
        )
        return found is not None

    async def sessions_of(self, user_id: int) -> list[str]:
        """Ids of the sessions the person starred (in the order they starred them)."""
        rows = await self.db.fetchall(
            "SELECT session_id FROM stars WHERE user_id = ? ORDER BY starred_at, session_id",
            (user_id,),
        )
        return [row[0] for row in rows]
