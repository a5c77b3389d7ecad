"""The SQLite database: WAL, migrations, the one writer path and reads of committed data.

Every write goes through :meth:`Database.transaction`, which serializes writers with a lock and
wraps the work in ``BEGIN IMMEDIATE`` ... ``COMMIT``. It is re-entrant within a task, so a
repository method that writes one row can also run inside a caller's larger transaction. A
write that is one statement may use :meth:`Database.write` instead: the same connection, the
lock only while a transaction is open, and SQLite commits the statement by itself, so the writes
of many people queue in the writer's thread instead of behind each other's round trips.

Reads outside a transaction go to a second, read-only connection: WAL gives it the last
committed state, so a task never acts on another task's write that is then rolled back. Inside
a transaction, reads use the writer's connection and see that transaction's own writes.

At rest: the file and a folder created for it are readable by the owner only; deleted rows are
overwritten (``secure_delete``), so erased personal data does not linger in free pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, cast

import aiosqlite

from storage.checkpointer import WalCheckpointer

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "forum_db_in_transaction", default=False
)


class Database:
    """An open SQLite database with WAL, foreign keys and a busy timeout."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._checkpointer: WalCheckpointer | None = None
        self._write_lock = asyncio.Lock()
        # Called when the open transaction ends, committed or rolled back (at most one is open:
        # transactions hold the write lock).
        self._when_ended: list[Callable[[], None]] = []

    @property
    def conn(self) -> aiosqlite.Connection:
        """The connection, for reads; writes go through :meth:`transaction`."""
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def open(self) -> None:
        """Open the file (creating its folder), set the pragmas and apply migrations.

        Idempotent: safe to call again after it was opened.
        """
        if self._conn is not None:
            return
        on_disk = self.path != ":memory:"
        if on_disk:
            _create_private(Path(self.path))
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._conn.row_factory = aiosqlite.Row
        await self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed transaction survives a killed process; only an OS
        # crash or power loss may drop the last ones.
        await self._conn.execute("PRAGMA synchronous=NORMAL")
        await self._conn.execute("PRAGMA foreign_keys=ON")
        await self._conn.execute("PRAGMA busy_timeout=5000")
        await self._conn.execute("PRAGMA secure_delete=ON")
        if on_disk:  # the log is copied into the file in the background (checkpointer.py)
            await self._conn.execute("PRAGMA wal_autocheckpoint=0")
        await migrate(self)
        if on_disk:
            self._reader = await aiosqlite.connect(self.path, isolation_level=None)
            self._reader.row_factory = aiosqlite.Row
            await self._reader.execute("PRAGMA busy_timeout=5000")
            await self._reader.execute("PRAGMA foreign_keys=ON")
            await self._reader.execute("PRAGMA query_only=ON")
            self._checkpointer = WalCheckpointer(self.path)
            await self._checkpointer.start()
            # SQLite gives -wal and -shm the database file's mode; older files are fixed here.
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.chmod(self.path + suffix, 0o600)

    async def close(self) -> None:
        """Close the connections (idempotent); the last one copies the log into the file."""
        if self._checkpointer is not None:
            await self._checkpointer.stop()
            self._checkpointer = None
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def trace(self, callback: Callable[[str], object] | None) -> None:
        """Call ``callback`` with every SQL statement either connection runs (None: stop).

        For tests that hold an update path to its budget of statements; it runs on the
        connections' threads.
        """
        for conn in (self._conn, self._reader):
            if conn is not None:
                # sqlite3 takes None (stop tracing); aiosqlite's annotation omits it.
                await conn.set_trace_callback(cast("Callable[..., Any]", callback))

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the file and empty it (best effort).

        Used after erasing a link that must not survive in the log's old frames.
        """
        if self._conn is None or _in_transaction.get():
            return
        async with self._write_lock:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def when_ended(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once this task's transaction has ended (committed or rolled back);
        outside a transaction, now."""
        if _in_transaction.get():
            self._when_ended.append(callback)
        else:
            callback()

    def _read_conn(self) -> aiosqlite.Connection:
        """The writer inside a transaction (its own writes), else the committed-data reader."""
        if _in_transaction.get() or self._reader is None:
            return self.conn
        return self._reader

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One atomic write: everything inside commits together or not at all.

        Safe against cancellation (shutdown, the update timeout): BEGIN, COMMIT and ROLLBACK
        always run to their end, a cancelled body is rolled back, and the lock is released only
        with the connection outside any transaction. The block raises only when nothing was
        stored: a cancel that arrives while COMMIT runs lets the block end normally (all was
        stored) and reaches the task at its next await.
        """
        if _in_transaction.get():
            yield self.conn
            return
        async with self._write_lock:
            token = _in_transaction.set(True)
            try:
                try:
                    cancelled = await self._settle("BEGIN IMMEDIATE")
                    if cancelled is not None:
                        raise cancelled
                except BaseException:
                    # A cancel while BEGIN ran: it opened the transaction all the same.
                    await self._rollback_if_open()
                    raise
                try:
                    yield self.conn
                except BaseException:
                    await self._rollback_if_open()
                    raise
                try:
                    cancelled = await self._settle("COMMIT")
                except BaseException:
                    # A failed COMMIT (a deferred constraint, a busy file) leaves it open.
                    await self._rollback_if_open()
                    raise
                if cancelled is not None:
                    _cancel_later(cancelled)
            finally:
                _in_transaction.reset(token)
                ended, self._when_ended = self._when_ended, []
                for callback in ended:
                    callback()

    async def _settle(self, sql: str) -> asyncio.CancelledError | None:
        """Run a transaction statement to its end even if the awaiting task is cancelled.

        aiosqlite's thread runs a submitted statement whatever happens to the task awaiting it;
        a cancel only hides how it ended, so the connection's state would be unknown. Here the
        statement runs in a task of its own that the cancel does not reach. Returns the
        cancellation that arrived meanwhile (the caller passes it on), or raises the
        statement's own error.
        """
        step = asyncio.ensure_future(self.conn.execute(sql))
        cancelled: asyncio.CancelledError | None = None
        while not step.done():
            try:
                await asyncio.wait({step})  # a cancel here does not cancel the step
            except asyncio.CancelledError as exc:
                cancelled = exc
        if cancelled is not None and not step.cancelled() and step.exception() is not None:
            log.warning("%s failed while its task was cancelled: %s", sql, step.exception())
            raise cancelled
        await step  # its error, if any
        return cancelled

    async def _rollback_if_open(self) -> None:
        """Roll back the open transaction, if SQLite has not ended it by itself.

        Always submitted rather than decided on ``in_transaction``: aiosqlite runs statements
        in order, so this lands after anything the cancelled work had already submitted.
        """
        try:
            cancelled = await self._settle("ROLLBACK")
        except sqlite3.OperationalError:
            if self.conn.in_transaction:
                raise
            return  # "no transaction is active": a failed BEGIN, or SQLite ended it itself
        if cancelled is not None:
            raise cancelled

    async def write(
        self,
        sql: str,
        params: Iterable[Any] = (),
        *,
        ended: Callable[[], None] | None = None,
    ) -> int:
        """One statement that is atomic by itself; the number of rows it changed.

        Outside a transaction SQLite commits the statement on its own (autocommit), so it takes
        one round trip to the writer's thread instead of three (BEGIN, the statement, COMMIT),
        and it waits for the lock only while a transaction is open: aiosqlite runs its thread's
        statements in order, so it runs after any transaction open before it and before any
        opened after.
        A wave of presses (everyone starring the plenary) then costs the thread's time, not
        one event-loop turn after another. Inside a transaction it is part of that transaction.
        A cancel does not undo it: queued is written.

        ``ended`` is called once the statement's outcome is final: when it has run (whether or
        not its task is still waiting for it), inside a transaction when that one ends, and at
        once if it was cancelled before it was queued. Before the awaiting task resumes.
        """
        args = tuple(params)
        if _in_transaction.get():
            if ended is not None:
                self.when_ended(ended)
            return int((await self.conn.execute(sql, args)).rowcount)
        step: asyncio.Future[aiosqlite.Cursor] | None = None
        try:
            if self._write_lock.locked():  # a transaction is open: queue after its COMMIT
                async with self._write_lock:
                    step = asyncio.ensure_future(self.conn.execute(sql, args))
                    # The step's first turn, which queues the statement in the thread, runs
                    # before the lock can pass to the next writer (ready callbacks run in order).
                    await asyncio.sleep(0)
            else:
                # No transaction is open (each holds the lock until its COMMIT has run), and one
                # that opens later queues its BEGIN from a task created after this step, so this
                # statement is queued first. Without waiting for the lock, a burst of writes is
                # queued in one turn of the event loop, not one turn each: under load a turn
                # takes milliseconds, and writes piled up behind each other for 100-400 ms.
                step = asyncio.ensure_future(self.conn.execute(sql, args))
        finally:
            if ended is not None:
                if step is None:
                    ended()
                else:  # registered before the caller awaits the step: called before it resumes
                    step.add_done_callback(lambda _: ended())
        return int((await step).rowcount)

    # One round trip to the connection's thread per query (execute_fetchall), not three
    # (execute, fetch, close): each trip is a thread switch that, under load, waits for the
    # event loop to let go of the GIL, and most updates run one or two queries.
    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """Run a query and return its first row.

        Meant for queries of one row or a few (a key, an aggregate, ``LIMIT``): every row of
        the result is fetched.
        """
        rows = await self._read_conn().execute_fetchall(sql, tuple(params))
        for row in rows:
            return row
        return None

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Run a query and return all rows."""
        return list(await self._read_conn().execute_fetchall(sql, tuple(params)))

    async def fetchval(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """Run a query and return the first column of its first row (or None)."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


def _cancel_later(cancelled: asyncio.CancelledError) -> None:
    """Pass a cancellation caught during COMMIT on to the task's next await.

    Uncancelled first so that it counts once (``asyncio.timeout`` relies on the count).
    """
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()
        task.cancel(*cancelled.args)


def _create_private(path: Path) -> None:
    """Create the database file (and a missing folder) readable by the owner only."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        os.chmod(path.parent, 0o700)  # mkdir's mode is filtered by the umask
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    with contextlib.suppress(OSError):  # a file of another owner keeps its mode
        os.chmod(path, 0o600)


def _migration_files() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


async def migrate(db: Database) -> list[str]:
    """Apply the migrations not yet recorded, in order, each in its own transaction.

    Returns the names applied now. Safe to run on every start.
    """
    conn = db.conn
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
    )
    done = {row[0] for row in await db.fetchall("SELECT number FROM schema_migrations")}
    applied = []
    for number, name, sql in _migration_files():
        if number in done:
            continue
        async with db.transaction():
            for statement in _split_sql(sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations(number, name) VALUES (?, ?)", (number, name)
            )
        log.info("applied migration %s", name)
        applied.append(name)
    return applied


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit on its own)."""
    statements, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        current.append(line)
        candidate = "\n".join(current).strip()
        if candidate.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            current = []
    rest = "\n".join(current).strip()
    if rest:
        statements.append(rest)
    return statements
