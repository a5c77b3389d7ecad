"""A backup taken in the middle of a broadcast, restored into a new path: the bot started on it
finishes the broadcast. Nobody is missed; a person gets a second copy only if the first went
out after the backup was taken (or was in flight at that moment) — the documented window of a
restore (README, "Backups")."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

from bot.sandbox.harness import BotProcess, SandboxServer
from bot.services.backup import backup_file
from tests.e2e.broadcasts import copies, seed_broadcast, wait_delivered

RECIPIENTS = 2000
TEXT = "Broadcast across a restore"
IN_FLIGHT = 32  # OUTBOX_CONCURRENCY below
ENV = {"OUTBOX_RATE": "0", "DELIVERY_TICK_SECONDS": "0.2", "OUTBOX_CONCURRENCY": str(IN_FLIGHT)}


async def test_backup_mid_broadcast_restored_finishes_it(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    live = tmp_path / "live" / "bot.db"
    live.parent.mkdir()
    bot = BotProcess(sandbox, live, log_path=tmp_path / "live.log", env=ENV)
    restored_path = tmp_path / "restored" / "bot.db"
    restored_path.parent.mkdir()
    restored = BotProcess(sandbox, restored_path, log_path=tmp_path / "restored.log", env=ENV)
    try:
        await bot.start()  # creates the database
        await bot.kill()
        ids = seed_broadcast(sandbox, live, RECIPIENTS, TEXT)
        await bot.start()
        await wait_delivered(sandbox, ids, TEXT, RECIPIENTS // 4, bot)
        backup = backup_file(live, tmp_path / "backups" / "forum-mid.db")  # the bot is writing
        await bot.kill()  # the server is lost: only the backup is left
        before_restore = copies(sandbox, ids, TEXT)
        with sqlite3.connect(backup) as conn:
            sent_in_backup = {
                r[0] for r in conn.execute("SELECT user_id FROM outbox WHERE state = 'sent'")
            }
        assert 0 < len(sent_in_backup) < RECIPIENTS, "the backup was not taken mid-broadcast"

        shutil.copy(backup, restored_path)  # the restore of the README
        await restored.start()
        await wait_delivered(sandbox, ids, TEXT, RECIPIENTS, restored)
        with sqlite3.connect(restored_path) as conn:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while True:  # the restored bot records the last results, then nothing is left
                states = dict(
                    conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
                )
                if states == {"sent": RECIPIENTS}:
                    break
                assert loop.time() < deadline, (states, restored.log_tail())
                await asyncio.sleep(0.05)
        assert await restored.stop() == 0  # SIGTERM: an orderly stop
    finally:
        await bot.kill()
        await restored.kill()

    counts = copies(sandbox, ids, TEXT)
    assert [uid for uid, n in counts.items() if n == 0] == []
    assert max(counts.values()) <= 2
    extra = {uid for uid, n in counts.items() if n > 1}
    # Only people whose copy went out after the backup (or was in flight) get a second one...
    assert not extra & sent_in_backup
    assert extra <= {uid for uid, n in before_restore.items() if n}
    # ... and no more of them than were sent between the backup and the loss of the server.
    sent_after_backup = sum(1 for n in before_restore.values() if n) - len(sent_in_backup)
    assert len(extra) <= sent_after_backup + IN_FLIGHT
    print(
        f"\n{RECIPIENTS} recipients; backup had {len(sent_in_backup)} sent; "
        f"{sent_after_backup} sent after it; {len(extra)} second copies; 0 missing"
    )
