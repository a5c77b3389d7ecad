"""The write-ahead log is copied into the file in the background, never by a writer's COMMIT."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage.checkpointer import WalCheckpointer
from storage.db import Database

ROW = "INSERT INTO content_versions (fingerprint, source, applied_at) VALUES (?, ?, 'x')"


async def fill(db: Database, rows: int) -> None:
    """Enough writes for well over SQLite's 1,000-page automatic checkpoint."""
    for start in range(0, rows, 500):
        async with db.transaction() as conn:
            await conn.executemany(
                ROW, [(f"forum-{n}", b"d" * 4000) for n in range(start, start + 500)]
            )


async def test_writers_never_checkpoint_and_the_background_copies_the_log(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forum.db"
    db = Database(path)
    await db.open()
    assert db._checkpointer is not None
    await db._checkpointer.stop()  # the loop is driven by hand here
    try:
        await fill(db, 1_500)  # about 2,000 pages of log
        wal = path.with_name("forum.db-wal")
        assert wal.stat().st_size > 4_000 * 1_500  # no COMMIT copied it into the file
        checkpointer = WalCheckpointer(str(path))
        await checkpointer.start()
        try:
            in_log, copied = await checkpointer.run_once()
        finally:
            await checkpointer.stop()
        assert in_log > 1_000 and copied == in_log
        assert await db.fetchval("SELECT COUNT(*) FROM content_versions") == 1_500
    finally:
        await db.close()


async def test_the_checkpointer_runs_on_its_own_and_stops_with_the_database(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "forum.db")
    await db.open()
    checkpointer = db._checkpointer
    assert checkpointer is not None
    checkpointer.interval = 0.01
    await checkpointer.stop()
    await checkpointer.start()  # again, with the short interval
    try:
        await fill(db, 500)
        for _ in range(500):
            if checkpointer.checkpoints >= 2:
                break
            await asyncio.sleep(0.01)
        assert checkpointer.checkpoints >= 2
    finally:
        await db.close()
    assert db._checkpointer is None and checkpointer._task is None
