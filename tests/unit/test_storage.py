"""Storage: migrations, WAL, transactions and the users repository."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import db as db_module
from storage.db import Database, migrate
from storage.users import UsersRepo

NOW = datetime(2018, 11, 14, 4, 0, tzinfo=UTC)


@pytest.fixture
async def database(tmp_path: Path):
    db = Database(tmp_path / "sub" / "forum.db")
    await db.open()
    yield db
    await db.close()


async def test_fresh_database_gets_every_migration_and_wal(database: Database) -> None:
    rows = await database.fetchall("SELECT number, name FROM schema_migrations ORDER BY number")
    files = db_module._migration_files()
    assert [r["number"] for r in rows] == [n for n, _, _ in files]
    assert rows[0]["name"] == "0001_init.sql"
    assert (await database.fetchval("PRAGMA journal_mode")) == "wal"
    assert (await database.fetchval("PRAGMA foreign_keys")) == 1
    tables = {r[0] for r in await database.fetchall("SELECT name FROM sqlite_master")}
    assert {"users", "conversations", "schema_migrations"} <= tables


async def test_migrations_are_applied_once_and_new_ones_on_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "forum.db"
    db = Database(path)
    await db.open()
    await UsersRepo(db).upsert_seen(
        1, first_name="A", last_name=None, username=None, language_code="ru", now=NOW
    )
    assert await migrate(db) == []  # running again applies nothing
    await db.close()

    original = db_module._migration_files()
    extra = (9999, "9999_test_extra.sql", "ALTER TABLE users ADD COLUMN extra TEXT;")
    monkeypatch.setattr(db_module, "_migration_files", lambda: [*original, extra])
    db = Database(path)
    await db.open()  # the existing database gets only the new migration; data is kept
    assert await db.fetchval("SELECT COUNT(*) FROM users") == 1
    assert await db.fetchval("SELECT name FROM schema_migrations WHERE number = 9999") == (
        "9999_test_extra.sql"
    )
    columns = {r["name"] for r in await db.fetchall("PRAGMA table_info(users)")}
    assert "extra" in columns
    await db.close()


async def test_a_failing_migration_leaves_no_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = db_module._migration_files()
    bad = (9998, "9998_bad.sql", "CREATE TABLE half (x INTEGER);\nINSERT INTO nowhere VALUES (1);")
    monkeypatch.setattr(db_module, "_migration_files", lambda: [*original, bad])
    db = Database(tmp_path / "forum.db")
    with pytest.raises(Exception, match="nowhere"):
        await db.open()
    tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
    assert "half" not in tables
    assert await db.fetchval("SELECT COUNT(*) FROM schema_migrations WHERE number = 9998") == 0
    await db.close()


async def test_transaction_rolls_back_every_row_on_error(database: Database) -> None:
    users = UsersRepo(database)
    with pytest.raises(RuntimeError):
        async with database.transaction():
            await users.upsert_seen(
                1, first_name="A", last_name=None, username=None, language_code=None, now=NOW
            )
            await users.upsert_seen(
                2, first_name="B", last_name=None, username=None, language_code=None, now=NOW
            )
            raise RuntimeError("boom")
    assert await users.count() == 0


async def test_users_repository_round_trip(database: Database) -> None:
    users = UsersRepo(database)
    user = await users.upsert_seen(
        42, first_name="Айгерім", last_name="С.", username="aig", language_code="kk", now=NOW
    )
    assert (user.display_name, user.language, user.onboarded) == ("Айгерім С.", None, False)
    await users.set_language(42, "en")
    await users.set_stakeholder(42, "ngo")
    stored = await users.get(42)
    assert stored is not None
    assert (stored.language, stored.stakeholder, stored.onboarded) == ("en", "ngo", True)
    with pytest.raises(ValueError, match="unknown stakeholder"):
        await users.set_stakeholder(42, "aliens")

    await users.set_blocked(42)
    assert await users.ids() == []
    assert await users.ids(include_blocked=True) == [42]
    # Writing again (the user came back) clears the blocked flag.
    await users.upsert_seen(
        42, first_name="Айгерім", last_name="С.", username="aig", language_code="kk", now=NOW
    )
    assert await users.ids(languages=["en"]) == [42]
    assert await users.ids(stakeholder="business") == []

    assert await users.delete(42) is True
    assert await users.get(42) is None
    assert await users.delete(42) is False
