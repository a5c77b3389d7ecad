"""The update path's cheap parts: one thread round trip per read, one JSON body per request."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram._utils.types import JSONDict
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.http import _body
from storage.db import Database


@pytest.fixture
async def database(tmp_path: Path):
    db = Database(tmp_path / "forum.db")
    await db.open()
    yield db
    await db.close()


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hop to a connection's thread (aiosqlite runs each call there)."""
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", "?"))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_a_read_is_one_round_trip_to_the_database_thread(
    database: Database, round_trips: list[str]
) -> None:
    async with database.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, first_name, first_seen, last_seen)"
            " VALUES (1, 'A', 'x', 'x'), (2, 'B', 'x', 'x')"
        )
    round_trips.clear()
    row = await database.fetchone("SELECT first_name FROM users WHERE id = ?", (2,))
    assert row is not None and row["first_name"] == "B"
    assert len(round_trips) == 1
    assert await database.fetchone("SELECT * FROM users WHERE id = 3") is None
    assert len(await database.fetchall("SELECT * FROM users ORDER BY id")) == 2
    assert await database.fetchval("SELECT COUNT(*) FROM users") == 2
    assert len(round_trips) == 4


def _request(params: JSONDict) -> RequestData:
    return RequestData([RequestParameter.from_input(key, value) for key, value in params.items()])


async def test_a_one_statement_write_is_one_round_trip_and_never_joins_anothers_transaction(
    database: Database, round_trips: list[str]
) -> None:
    await _register(database, 1, 2)
    star = "INSERT OR IGNORE INTO stars (user_id, session_id, starred_at) VALUES (?, ?, 'x')"
    round_trips.clear()
    assert await database.write(star, (1, "plenary")) == 1
    assert len(round_trips) == 1
    assert await database.write(star, (1, "plenary")) == 0  # already there
    opened, queued = asyncio.Event(), asyncio.Event()

    async def rolled_back() -> None:
        with pytest.raises(RuntimeError):
            async with database.transaction() as conn:
                await conn.execute(star, (1, "panel"))
                opened.set()
                await queued.wait()
                await asyncio.sleep(0.05)  # the other write waits meanwhile, not inside this
                raise RuntimeError("rolled back")

    async def meanwhile() -> int:
        await opened.wait()
        pending = asyncio.ensure_future(database.write(star, (2, "panel")))
        await asyncio.sleep(0)
        queued.set()
        return await pending

    _, written = await asyncio.gather(rolled_back(), meanwhile())
    assert written == 1
    stars = await database.fetchall("SELECT user_id, session_id FROM stars ORDER BY user_id")
    assert [tuple(r) for r in stars] == [(1, "plenary"), (2, "panel")]
    # Inside a transaction it is part of it.
    with pytest.raises(RuntimeError):
        async with database.transaction():
            await database.write(star, (2, "closing"))
            raise RuntimeError("rolled back")
    assert await database.fetchval("SELECT COUNT(*) FROM stars") == 2


def test_a_request_without_files_is_one_json_body_with_nested_values() -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Программа", callback_data="ag:d:0")]])
    data, headers = _body(
        _request({"chat_id": 5, "text": "Сәлем & 100%", "reply_markup": keyboard})
    )
    assert headers == {"Content-Type": "application/json"}
    assert json.loads(data) == {
        "chat_id": 5,
        "text": "Сәлем & 100%",
        "reply_markup": {"inline_keyboard": [[{"text": "Программа", "callback_data": "ag:d:0"}]]},
    }


def test_a_request_with_a_file_is_still_a_multipart_form() -> None:
    data, headers = _body(
        _request({"chat_id": 5, "document": InputFile(b"BEGIN:VCALENDAR", filename="s.ics")})
    )
    assert headers is None
    assert type(data).__name__ == "FormData"


def test_times_are_formatted_by_babel_once_per_minute_of_the_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot import i18n

    calls: list[object] = []
    original = i18n.format_time

    def counted(*args: Any, **kwargs: Any) -> str:
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(i18n, "format_time", counted)
    tr = i18n.I18n(ZoneInfo("Asia/Almaty")).get("kk")
    starts = datetime(2018, 11, 27, 4, 0, tzinfo=UTC)  # 10:00 in Almaty (UTC+6 then)
    for _ in range(3):
        assert tr.time_range(starts, starts.replace(hour=5, minute=30)) == "10:00–11:30"
    assert len(calls) == 2


NOW = "2018-11-27T04:00:00+00:00"


async def _register(db: Database, *ids: int) -> None:
    from datetime import datetime

    from storage.users import UsersRepo

    for user_id in ids:
        await UsersRepo(db).upsert_seen(
            user_id,
            first_name="A",
            last_name=None,
            username=None,
            language_code="ru",
            now=datetime.fromisoformat(NOW),
        )


async def row(users: Any, user_id: int) -> Any:
    """The user's row, which must exist."""
    user = await users.get(user_id)
    assert user is not None
    return user


async def test_the_users_row_is_kept_between_reads_and_every_writer_drops_it(
    database: Database, round_trips: list[str]
) -> None:
    from storage.broadcasts import BroadcastsRepo
    from storage.users import UsersRepo

    await _register(database, 1, 2)
    reader, writer = UsersRepo(database), UsersRepo(database)  # as two parts of the bot
    round_trips.clear()
    first = await reader.get(1)
    assert first is not None and first.language is None
    assert await reader.get(1) is first and round_trips == []  # kept from the upsert
    await writer.set_language(1, "kk")
    assert (await row(reader, 1)).language == "kk"
    await writer.set_stakeholder(1, "ngo")
    assert (await row(reader, 1)).stakeholder == "ngo"
    await writer.set_blocked(1)
    assert (await row(reader, 1)).blocked
    await BroadcastsRepo(database).set_reminder_minutes(1, 30)
    assert await reader.get(1) is not None
    assert await writer.delete(1)
    assert await reader.get(1) is None
    assert (await row(reader, 2)).first_name == "A"


async def test_a_write_rolled_back_or_still_open_never_leaves_a_stale_row(
    database: Database,
) -> None:
    from storage.users import UsersRepo

    await _register(database, 1)
    users = UsersRepo(database)
    with pytest.raises(RuntimeError):
        async with database.transaction():
            await users.set_language(1, "kk")
            # Inside the transaction: its own write, and nothing kept from it.
            assert (await row(users, 1)).language == "kk"
            raise RuntimeError("rolled back")
    assert (await row(users, 1)).language is None
    async with database.transaction():
        await users.set_language(1, "en")
    assert (await row(users, 1)).language == "en"


async def test_a_kept_row_serves_reads_while_another_persons_row_is_being_written(
    database: Database, round_trips: list[str]
) -> None:
    """Under load some transaction is nearly always open; a kept row of someone else must
    still be used (it is the committed truth), not read again."""
    from storage.users import UsersRepo

    await _register(database, 1, 2)
    users = UsersRepo(database)
    await row(users, 1)
    round_trips.clear()
    async with database.transaction():
        await users.set_language(2, "kk")
        reads_before = len(round_trips)
        # Another task reads person 1 while person 2's write is open.
        assert (await asyncio.create_task(row(users, 1))).language is None
        assert len(round_trips) == reads_before  # served from the kept row


async def test_a_row_read_while_its_write_is_open_is_not_kept_after_the_commit(
    database: Database, round_trips: list[str]
) -> None:
    from storage.users import UsersRepo

    await _register(database, 1)
    users = UsersRepo(database)
    await row(users, 1)
    written, read_done = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with database.transaction():
            await users.set_language(1, "kk")
            written.set()
            await read_done.wait()

    async def reader() -> str | None:
        await written.wait()
        try:  # the committed row, not the open write
            return (await row(users, 1)).language
        finally:
            read_done.set()

    _, seen = await asyncio.wait_for(asyncio.gather(writer(), reader()), timeout=30)
    assert seen is None
    round_trips.clear()
    assert (await row(users, 1)).language == "kk"  # not the row read before the commit
    assert len(round_trips) == 1
    assert (await row(users, 1)).language == "kk" and len(round_trips) == 1  # now kept


async def test_a_burst_of_writes_is_queued_in_one_turn_of_the_event_loop(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fifty people star at once: with no transaction open, every write goes to the writer's
    thread in the same turn of the loop. (Taking the lock one writer per turn made a burst wait
    one turn each, and under load a turn takes milliseconds.) With a transaction open, they
    wait for its end."""
    await _register(database, *range(1, 51))
    loop = asyncio.get_running_loop()
    turns = 0
    ticking = True

    def tick() -> None:
        nonlocal turns
        turns += 1
        if ticking:
            loop.call_soon(tick)

    queued_at: list[int] = []
    original = aiosqlite.Connection._execute

    async def recorded(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        queued_at.append(turns)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", recorded)
    star = "INSERT OR IGNORE INTO stars (user_id, session_id, starred_at) VALUES (?, 'p', 'x')"
    tick()
    written = await asyncio.gather(*(database.write(star, (uid,)) for uid in range(1, 51)))
    assert written == [1] * 50
    assert max(queued_at) - min(queued_at) <= 1, queued_at

    queued_at.clear()
    opened, release = asyncio.Event(), asyncio.Event()

    async def open_transaction() -> None:
        async with database.transaction() as conn:
            await conn.execute(star.replace("'p'", "'q'"), (1,))
            opened.set()
            await release.wait()

    holder = asyncio.ensure_future(open_transaction())
    await opened.wait()
    waiting = asyncio.ensure_future(database.write(star.replace("'p'", "'r'"), (2,)))
    await asyncio.sleep(0.02)
    assert not waiting.done()  # not inside the other's transaction
    release.set()
    await holder
    assert await waiting == 1
    ticking = False


async def test_a_change_of_a_persons_row_is_one_trip_and_nothing_read_meanwhile_is_kept(
    database: Database, round_trips: list[str]
) -> None:
    """/language stores the choice in one statement (one trip, not BEGIN, UPDATE, COMMIT);
    the row kept afterwards is what was written, and a read while the change is queued
    neither serves nor keeps the old row."""
    from storage.users import UsersRepo

    await _register(database, 1)
    users = UsersRepo(database)
    await row(users, 1)
    round_trips.clear()
    await users.set_language(1, "kk")
    assert len(round_trips) == 1
    assert (await row(users, 1)).language == "kk" and len(round_trips) == 1  # kept, no re-read
    change = asyncio.ensure_future(users.set_language(1, "ru"))
    await asyncio.sleep(0)  # queued in the writer's thread, not yet answered
    assert (await row(users, 1)).language in ("kk", "ru")  # read from the file, not the copy
    await change
    round_trips.clear()
    assert (await row(users, 1)).language == "ru" and round_trips == []


async def test_a_change_cancelled_before_it_was_queued_leaves_the_row_keepable(
    database: Database, round_trips: list[str]
) -> None:
    from storage.users import UsersRepo

    await _register(database, 1)
    users = UsersRepo(database)
    opened, release = asyncio.Event(), asyncio.Event()

    async def long_transaction() -> None:
        async with database.transaction():
            opened.set()
            await release.wait()

    holder = asyncio.ensure_future(long_transaction())
    await opened.wait()
    change = asyncio.ensure_future(users.set_language(1, "kk"))
    await asyncio.sleep(0.01)  # waiting for the write lock
    change.cancel()
    with pytest.raises(asyncio.CancelledError):
        await change
    release.set()
    await holder
    assert (await row(users, 1)).language is None  # never written
    round_trips.clear()
    assert (await row(users, 1)).language is None and round_trips == []  # kept again


async def test_the_sender_marking_a_block_drops_the_kept_row(database: Database) -> None:
    from datetime import datetime

    from storage.outbox import OutboxRepo, Result
    from storage.users import UsersRepo

    await _register(database, 7)
    users = UsersRepo(database)
    assert not (await row(users, 7)).blocked
    await OutboxRepo(database).apply([Result(1, 7, "blocked")], datetime.fromisoformat(NOW))
    assert (await row(users, 7)).blocked


def _writers(table: str, *, also: str = "") -> list[tuple[str, str]]:
    """(file:function, its source) of every function in storage/ whose SQL writes ``table``
    (or matches ``also``)."""
    import re

    import storage

    writes = re.compile(
        rf"(UPDATE|INSERT(\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|DELETE\s+FROM)\s+{table}\b"
        + (f"|{also}" if also else ""),
        re.I,
    )
    found = []
    for path in sorted(Path(storage.__file__).parent.glob("*.py")):
        for block in re.split(r"\n(?=[ ]*(?:async )?def )", path.read_text(encoding="utf-8")):
            if writes.search(block):
                name = re.search(r"def (\w+)", block)
                found.append((f"{path.name}:{name.group(1) if name else '?'}", block))
    return found


def test_every_statement_that_writes_users_forgets_the_kept_rows() -> None:
    """A new writer of the users table must call storage.users.forget, or the prelude would
    keep serving the row it changed."""
    writers = _writers("users")
    for name, block in writers:
        # It forgets, or goes through the UsersRepo helper that does.
        assert "forget(" in block or "forget_users(" in block or "self._update(" in block, name
    assert len(writers) >= 7, [
        name for name, _ in writers
    ]  # upsert, language, group, blocked, delete, sender, lead


def test_every_statement_that_writes_stars_forgets_the_kept_stars() -> None:
    """A new writer of the stars table (or of users, whose deletion deletes the person's stars)
    must forget the kept stars, or a card would show a star that is gone."""
    writers = _writers("stars", also=r"DELETE\s+FROM\s+users\b")
    for name, block in writers:
        assert "forget_stars(" in block or "kept.forget_until(" in block, name
    assert len(writers) >= 3, [name for name, _ in writers]  # star, unstar, a person's deletion


async def test_a_persons_stars_are_read_once_and_kept_true_through_every_change(
    database: Database, round_trips: list[str]
) -> None:
    """The card asks "starred?" and /my lists the stars: one read, then the kept copy, which
    every star, unstar and /deleteme keeps true (or drops)."""
    from datetime import datetime

    from storage.stars import StarsRepo
    from storage.users import UsersRepo

    await _register(database, 1)
    stars = StarsRepo(database)
    at = datetime.fromisoformat(NOW)
    await stars.star(1, "plenary", at)  # nothing kept yet: nothing kept after
    round_trips.clear()
    assert await stars.is_starred(1, "plenary") and len(round_trips) == 1
    assert not await stars.is_starred(1, "panel") and len(round_trips) == 1
    assert await stars.star(1, "panel", at)  # the same second: ordered by id, as SQL orders
    assert await stars.star(1, "closing", at)
    assert not await stars.star(1, "closing", at)
    assert await stars.unstar(1, "panel")
    assert not await stars.unstar(1, "panel")
    assert await stars.sessions_of(1) == ["closing", "plenary"]
    assert len(round_trips) == 1 + 5  # the five writes; every read since came from memory
    fresh = StarsRepo(database)
    assert await fresh.sessions_of(1) == ["closing", "plenary"]  # the file says the same
    rows = await database.fetchall(
        "SELECT session_id FROM stars WHERE user_id = 1 ORDER BY starred_at, session_id"
    )
    assert [r[0] for r in rows] == ["closing", "plenary"]
    # /deleteme deletes the stars with the person (a cascade): nothing of them stays kept.
    assert await UsersRepo(database).delete(1)
    await _register(database, 1)
    assert await stars.sessions_of(1) == []


async def test_stars_read_while_a_star_is_written_are_not_kept(
    database: Database, round_trips: list[str]
) -> None:
    from datetime import datetime

    from storage.stars import StarsRepo

    await _register(database, 1)
    stars = StarsRepo(database)
    adding = asyncio.ensure_future(stars.star(1, "plenary", datetime.fromisoformat(NOW)))
    await asyncio.sleep(0)  # queued in the writer's thread, not yet answered
    await stars.sessions_of(1)  # either side of the write; must not be kept
    await adding
    round_trips.clear()
    assert await stars.sessions_of(1) == ["plenary"] and len(round_trips) == 1
    assert await stars.sessions_of(1) == ["plenary"] and len(round_trips) == 1  # kept now
