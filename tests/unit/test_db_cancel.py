"""The one writer path under cancellation: a task cancelled at any await point of
``Database.transaction()`` leaves its work fully committed or fully absent, and the next
transaction works (PTB cancels handler tasks at shutdown and on the update timeout)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import aiosqlite
import pytest

from storage.db import Database


class GatedConnection:
    """The real connection, except that one statement waits at a gate once it is submitted.

    Like aiosqlite: the statement is handed to the database thread before the first suspension,
    so it runs even when the awaiting task is cancelled at the gate.
    """

    def __init__(self, real: aiosqlite.Connection, statement: str) -> None:
        self._real = real
        self._statement = statement
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def execute(self, sql: str, parameters: Any = ()) -> Any:
        if sql != self._statement or self.reached.is_set():
            return await self._real.execute(sql, parameters)
        submitted = asyncio.ensure_future(self._real.execute(sql, parameters))
        self.reached.set()
        await self.release.wait()  # the cancel lands here, the statement runs all the same
        return await submitted


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "forum.db")
    await database.open()
    async with database.transaction() as conn:
        await conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    try:
        yield database
    finally:
        await database.close()


def gate(db: Database, statement: str) -> GatedConnection:
    gated = GatedConnection(db.conn, statement)
    db._conn = cast(aiosqlite.Connection, gated)
    return gated


async def write_two(db: Database, inside: asyncio.Event | None = None) -> None:
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO notes (text) VALUES ('first')")
        if inside is not None:
            inside.set()
            await asyncio.Event().wait()  # cancelled here
        await conn.execute("INSERT INTO notes (text) VALUES ('second')")


async def stored(db: Database) -> list[str]:
    return [row[0] for row in await db.fetchall("SELECT text FROM notes ORDER BY id")]


async def next_transaction_works(db: Database) -> None:
    """A later write commits on its own, and a rolled-back one leaves nothing behind."""
    before = await stored(db)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO notes (text) VALUES ('later')")
    with pytest.raises(ValueError, match="undo"):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes (text) VALUES ('undone')")
            raise ValueError("undo")
    assert await stored(db) == [*before, "later"]
    assert not db.conn.in_transaction


async def cancel_at_gate(gated: GatedConnection, task: asyncio.Task[None]) -> None:
    await gated.reached.wait()
    task.cancel()
    await asyncio.sleep(0)  # the cancel is delivered to the task waiting at the gate
    gated.release.set()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_cancel_during_begin_leaves_nothing_open(db: Database) -> None:
    gated = gate(db, "BEGIN IMMEDIATE")
    task = asyncio.create_task(write_two(db))
    await cancel_at_gate(gated, task)
    assert await stored(db) == []
    await next_transaction_works(db)


async def test_cancel_inside_the_body_rolls_back(db: Database) -> None:
    inside = asyncio.Event()
    task = asyncio.create_task(write_two(db, inside))
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await stored(db) == []
    await next_transaction_works(db)


async def write_then_go_on(db: Database, notes: list[str]) -> None:
    await write_two(db)
    notes.append("the block ended")
    await asyncio.sleep(0)  # the next await
    notes.append("went on")


async def test_cancel_during_commit_stores_everything_and_the_block_ends(db: Database) -> None:
    """The block raises only when nothing was stored: a cancel while COMMIT runs lets it end
    (the caller knows its work is stored) and reaches the task at its next await."""
    gated = gate(db, "COMMIT")
    notes: list[str] = []
    task = asyncio.create_task(write_then_go_on(db, notes))
    await cancel_at_gate(gated, task)
    assert notes == ["the block ended"]
    assert await stored(db) == ["first", "second"]
    await next_transaction_works(db)


async def test_a_timeout_during_commit_is_still_a_timeout(db: Database) -> None:
    gated = gate(db, "COMMIT")
    notes: list[str] = []
    scopes: list[asyncio.Timeout] = []

    async def within_a_timeout() -> None:
        async with asyncio.timeout(None) as scope:
            scopes.append(scope)
            await write_then_go_on(db, notes)

    task = asyncio.create_task(within_a_timeout())
    await gated.reached.wait()
    scopes[0].reschedule(asyncio.get_running_loop().time())  # expires now
    # The timeout's own callback cancels the task; its count is the observable sign.
    while not task.cancelling():  # noqa: ASYNC110
        await asyncio.sleep(0)
    gated.release.set()
    with pytest.raises(TimeoutError):
        await task
    assert notes == ["the block ended"]
    assert await stored(db) == ["first", "second"]
    await next_transaction_works(db)


async def test_cancel_during_rollback_leaves_nothing(db: Database) -> None:
    gated = gate(db, "ROLLBACK")

    async def fail_after_writing() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes (text) VALUES ('first')")
            raise ValueError("the work failed")

    task = asyncio.create_task(fail_after_writing())
    await cancel_at_gate(gated, task)
    assert await stored(db) == []
    await next_transaction_works(db)


async def test_a_failed_commit_is_rolled_back(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)")
        await conn.execute(
            "CREATE TABLE children (parent INTEGER"
            " REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)"
        )
    with pytest.raises(aiosqlite.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes (text) VALUES ('first')")
            await conn.execute("INSERT INTO children (parent) VALUES (7)")  # checked at COMMIT
    assert await stored(db) == []
    await next_transaction_works(db)


@pytest.mark.parametrize("turns", [1, 2, 3, 5, 8, 13])
async def test_cancel_after_some_loop_turns_is_all_or_nothing(db: Database, turns: int) -> None:
    """The real aiosqlite connection, cancelled after ``turns`` turns of the event loop: one
    turn lands right after BEGIN was handed to the database thread; later ones anywhere."""
    task = asyncio.create_task(write_two(db))
    for _ in range(turns):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await stored(db) in ([], ["first", "second"])
    await next_transaction_works(db)
