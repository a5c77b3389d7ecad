"""Decisions released together through the outbox survive SIGKILLs: one right after the
organizer presses "Release" and one while the notices are being delivered. Every author gets
their decision, in their language, and nobody gets it twice beyond the sender's documented
in-flight window (one message with OUTBOX_CONCURRENCY=1)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.i18n import I18n
from bot.sandbox.harness import BotProcess, SandboxServer, SandboxUser

AUTHORS = 150
LANGS = ("kk", "ru", "en")
I18N = I18n(ZoneInfo("Asia/Almaty"), "ru")
EN = I18N.get("en")


def notice(lang: str, proposal_id: int) -> str:
    return (
        I18N.get(lang)
        ._('Good news! Your proposal {reference} "{title}" has been accepted.')
        .format(reference=f"P-{proposal_id:04d}", title=f"Title {proposal_id}")
    )


def copies(sandbox: SandboxServer, authors: dict[int, tuple[int, str]]) -> dict[int, int]:
    return {
        uid: sum(
            1
            for m in sandbox.world.history(uid)
            if m.outgoing and (m.data.get("text") or "").startswith(notice(lang, pid))
        )
        for uid, (pid, lang) in authors.items()
    }


async def wait_until(condition: Callable[[], bool], bot: BotProcess, seconds: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, bot.log_tail()
        await asyncio.sleep(0.01)


async def press_release(organizer: SandboxUser) -> None:
    await organizer.command("/board")
    home = await organizer.expect(EN._("📋 Review board"))
    await organizer.press(EN._("📣 Release decisions ({n})").split("(")[0], message=home)
    confirm = await organizer.expect(lambda m: EN._("📣 Release") in m.buttons)
    await organizer.press(EN._("📣 Release"), message=confirm)


async def test_sigkill_during_release(sandbox: SandboxServer, tmp_path: Path) -> None:
    db_path = tmp_path / "bot.db"
    bot = BotProcess(
        sandbox,
        db_path,
        log_path=tmp_path / "bot.log",
        env={"OUTBOX_RATE": "30", "OUTBOX_CONCURRENCY": "1", "DELIVERY_TICK_SECONDS": "0.2"},
    )
    world = sandbox.world
    organizer = SandboxUser(world, world.add_user("Org", language_code="en", organizer=True))
    users = [world.add_user(f"A{i}", language_code=LANGS[i % 3]) for i in range(AUTHORS)]
    try:
        await bot.start()  # creates the database
        await bot.kill()
        with sqlite3.connect(db_path) as conn:
            conn.executemany(
                "INSERT INTO users (id, first_name, language, first_seen, last_seen, blocked)"
                " VALUES (?, 'A', ?, 'x', 'x', 0)",
                [(u.id, LANGS[i % 3]) for i, u in enumerate(users)],
            )
            for i, u in enumerate(users):
                cursor = conn.execute(
                    "INSERT INTO proposals (user_id, language, consent_version, consent_at,"
                    " org_name, org_type, region, topic, title, summary, support, status,"
                    " submitted_at, updated_at) VALUES (?, ?, 'v1', 'x', 'Org',"
                    " 'public_association', 'almaty_city', 'institutions', '', 'Summary text',"
                    " 'Help', 'under_review', 'x', 'x')",
                    (u.id, LANGS[i % 3]),
                )
                pid = cursor.lastrowid
                conn.execute("UPDATE proposals SET title = ? WHERE id = ?", (f"Title {pid}", pid))
                conn.execute(
                    "INSERT INTO board_decisions (proposal_id, decision, decided_at)"
                    " VALUES (?, 'accept', 'x')",
                    (pid,),
                )
            authors = {
                row[0]: (row[1], row[2])
                for row in conn.execute("SELECT user_id, id, language FROM proposals")
            }
        await bot.start()
        await organizer.command("/start")
        await organizer.expect()
        # Nothing reaches the authors while the decisions are pending.
        assert sum(copies(sandbox, authors).values()) == 0

        # Kill 1: the moment the organizer presses "Release" (before or after the commit).
        await press_release(organizer)
        await bot.kill()
        await bot.start()
        # The organizer's next update is handled after any press the restart redelivered (one
        # person's updates run in order), so the board shows whether the release happened.
        await organizer.command("/board")
        home = await organizer.expect(EN._("📋 Review board"))
        with sqlite3.connect(db_path) as conn:
            pending = conn.execute(
                "SELECT COUNT(*) FROM board_decisions WHERE released_at IS NULL"
            ).fetchone()[0]
        assert pending in (0, AUTHORS)  # all released together, or none
        assert (EN._("⏳ {n} decisions pending release.").split("{")[0] in home.text) == bool(
            pending
        )
        if pending:
            await press_release(organizer)

        # Kill 2: in the middle of the delivery.
        await wait_until(lambda: sum(copies(sandbox, authors).values()) >= 30, bot)
        await bot.kill()
        delivered = sum(1 for n in copies(sandbox, authors).values() if n)
        assert delivered < AUTHORS, "the kill came too late to test anything"
        await bot.start()
        await wait_until(lambda: all(copies(sandbox, authors).values()), bot)
        await bot.stop()
    finally:
        await bot.kill()

    counts = copies(sandbox, authors)
    assert all(n >= 1 for n in counts.values())
    # At most the one message that was in flight at each kill can arrive twice.
    assert sum(n - 1 for n in counts.values()) <= 2, counts
    with sqlite3.connect(db_path) as conn:
        states = dict(
            conn.execute(
                "SELECT state, COUNT(*) FROM outbox WHERE kind = 'decision' GROUP BY state"
            ).fetchall()
        )
        statuses = dict(
            conn.execute("SELECT status, COUNT(*) FROM proposals GROUP BY status").fetchall()
        )
    assert states == {"sent": AUTHORS}
    assert statuses == {"accepted": AUTHORS}
