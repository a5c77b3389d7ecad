"""The database at rest and under concurrency: owner-only files, erased data overwritten,
and reads that see only committed data."""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime
from pathlib import Path

from storage.db import Database
from storage.users import UsersRepo

NOW = datetime(2018, 11, 14, 4, 0, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_file_and_new_folder_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "forum.db"
    db = Database(path)
    await db.open()
    try:
        await UsersRepo(db).upsert_seen(
            1, first_name="A", last_name=None, username=None, language_code="ru", now=NOW
        )
        assert mode(path.parent) == 0o700
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert file.exists(), file
            assert mode(file) == 0o600, (file, oct(mode(file)))
    finally:
        await db.close()


async def test_an_existing_world_readable_database_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "forum.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    db = Database(path)
    await db.open()
    await db.close()
    assert mode(path) == 0o600


async def test_erased_rows_do_not_linger_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "forum.db"
    db = Database(path)
    await db.open()
    users = UsersRepo(db)
    await users.upsert_seen(
        4, first_name="Stays", last_name=None, username=None, language_code="kk", now=NOW
    )
    await users.upsert_seen(
        5, first_name="Zhanargul-Unique", last_name=None, username=None, language_code="kk",
        now=NOW,
    )  # fmt: skip
    await db.checkpoint()
    assert b"Zhanargul-Unique" in path.read_bytes()
    await users.delete(5)
    await db.close()  # the last connection checkpoints the log into the file
    assert b"Zhanargul-Unique" not in path.read_bytes()


async def test_a_read_during_another_tasks_transaction_sees_only_committed_data(
    tmp_path: Path,
) -> None:
    """The review's case: task A writes, task B reads meanwhile, then A rolls back."""
    db = Database(tmp_path / "forum.db")
    await db.open()
    users = UsersRepo(db)
    written, read_done = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        try:
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO users (id, first_name, first_seen, last_seen)"
                    " VALUES (9, 'Ghost', 'x', 'x')"
                )
                written.set()
                await read_done.wait()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    async def reader() -> object:
        await written.wait()
        try:
            return await users.get(9)
        finally:
            read_done.set()

    try:
        _, seen = await asyncio.wait_for(asyncio.gather(writer(), reader()), timeout=30)
        assert seen is None  # main: the uncommitted 'Ghost' was visible
        assert await users.get(9) is None
    finally:
        await db.close()
