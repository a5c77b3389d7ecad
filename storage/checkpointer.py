"""Copy the write-ahead log into the database file in the background, off the writers' path.

By default SQLite checkpoints inside the COMMIT that lets the log pass 1,000 pages: that one
commit copies the log into the file and waits for the disk (fsync) on the writer's thread, and
every write queued behind it waits too. Measured under the update benchmark's load (400
updates/s), that was a stall of 100-200 ms every few hundred writes, the largest part of the
p99 (benchmarks/README.md, item 3). Here the writer never checkpoints
(``wal_autocheckpoint=0``); a connection of its own, on its own thread, runs a PASSIVE
checkpoint (which waits for no reader and no writer) every ``interval`` seconds. Committed
data is in the log either way, so a crash loses nothing; the log only holds what a checkpoint
has not copied yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

import aiosqlite

log = logging.getLogger(__name__)


class WalCheckpointer:
    """A PASSIVE checkpoint of one database file every ``interval`` seconds."""

    def __init__(self, path: str, interval: float = 1.0) -> None:
        self.path = path
        self.interval = interval
        self._conn: aiosqlite.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self.checkpoints = 0  # how many ran (for tests and the curious)

    async def start(self) -> None:
        """Open the connection and start the loop (idempotent)."""
        if self._task is not None:
            return
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        await self._conn.execute("PRAGMA busy_timeout=5000")
        self._task = asyncio.create_task(self._loop(), name="wal-checkpointer")

    async def stop(self) -> None:
        """Stop the loop and close the connection (idempotent)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def run_once(self) -> tuple[int, int]:
        """Copy what the log holds into the file, as far as no reader still needs it; the
        pages (in the log, copied). An empty log costs nothing."""
        assert self._conn is not None
        rows = list(await self._conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)"))
        self.checkpoints += 1
        return (int(rows[0][1]), int(rows[0][2])) if rows else (0, 0)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.run_once()
            except sqlite3.Error as exc:  # the next round tries again
                log.warning("background checkpoint failed: %s", exc)
