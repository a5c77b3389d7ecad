"""SIGKILL at a random moment of a content reload, then restart: the programme on disk and the
recorded changes agree, and whoever starred the moved session is told exactly once."""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.resources import sample_content_path
from bot.sandbox import SandboxServer
from bot.sandbox.harness import BotProcess, SandboxUser
from tests.e2e.conftest import outbox_settled

ALERT = "Changed in your agenda"


def moved(path: Path) -> bytes:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for session in document["sessions"]:
        if session["id"] == "sdg":
            session["starts"] = "2018-11-14 12:30"
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


def recorded_changes(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT session_id, kind FROM content_changes").fetchall()


def resent_after_kill(database: Path) -> int:
    """Alert rows the restarted sender found in flight (sent, outcome not recorded) and sent again:
    the one documented duplicate (README, Delivery); every other attempt would be a bug."""
    with sqlite3.connect(database) as conn:
        (count,) = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE dedup_key LIKE 'alert:%' AND attempts > 1"
        ).fetchone()
    return int(count)


def alerts(user: SandboxUser) -> int:
    return sum(1 for m in user.messages if ALERT in m.text)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_sigkill_during_a_reload(
    sandbox: SandboxServer, tmp_path: Path, make_user: Callable[..., SandboxUser], seed: int
) -> None:
    folder = tmp_path / "content"
    shutil.copytree(sample_content_path().parent, folder)
    content = folder / "forum.yaml"
    database = tmp_path / "bot.db"
    bot = BotProcess(
        sandbox,
        database,
        log_path=tmp_path / "bot.log",
        clock_at="2018-11-14T09:30",
        env={
            "FORUM_CONTENT": str(content),
            "DELIVERY_TICK_SECONDS": "0.2",
            "ALERT_MERGE_MINUTES": "0",
            "FLOOD_LIMIT": "500",
        },
    )
    organizer, attendee = make_user(lang="ru", organizer=True), make_user(lang="en")
    await bot.start()
    try:
        await attendee.command("/start", "session_sdg")
        await attendee.expect("12:00")
        await attendee.press("Add to my agenda")
        await attendee.expect("In my agenda")

        upload = moved(content)
        await organizer.send_document(upload, "forum.yaml")
        await asyncio.sleep(random.Random(seed).uniform(0.0, 0.4))
        await bot.kill()
        await bot.start()

        if content.read_bytes() != upload:  # killed before the new file was in place
            assert recorded_changes(database) == []
            await organizer.send_document(upload, "forum.yaml")  # the organizer tries again
        await attendee.expect(ALERT, timeout=30)
        await outbox_settled(database)
        await bot.stop()  # the sends in flight finish: a duplicate would be here now
        in_flight = resent_after_kill(database)
        assert in_flight <= 1
        assert 1 <= alerts(attendee) <= 1 + in_flight
        assert recorded_changes(database) == [("sdg", "moved")]
    finally:
        await bot.stop()
