"""Conversation states are written when they change, not on every flush."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from storage.persistence import SQLitePersistence


async def test_same_state_is_not_written_again(tmp_path: Path) -> None:
    db = Database(tmp_path / "forum.db")
    await db.open()
    try:
        persistence = SQLitePersistence(db)
        await persistence.update_conversation("dialog", (1, 1), 2)
        async with db.transaction() as conn:  # a marker: a repeated write would overwrite it
            await conn.execute("UPDATE conversations SET state = '99'")
        await persistence.update_conversation("dialog", (1, 1), 2)
        assert await db.fetchval("SELECT state FROM conversations") == "99"
        await persistence.update_conversation("dialog", (1, 1), 3)  # a change is written
        assert await db.fetchval("SELECT state FROM conversations") == "3"
        await persistence.update_conversation("dialog", (1, 1), None)
        assert await db.fetchval("SELECT COUNT(*) FROM conversations") == 0
        await persistence.update_conversation("dialog", (1, 1), None)  # nothing to delete
        restarted = SQLitePersistence(db)
        assert await restarted.get_conversations("dialog") == {}
    finally:
        await db.close()
