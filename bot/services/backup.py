"""Backups of the SQLite database: a consistent copy while the bot runs, and the daily job.

``backup_file(db, dest)`` uses SQLite's online backup API from a connection of its own: the
copy is one read transaction of the whole database, so it is consistent even while the bot
writes (WAL readers do not block the writer). It is written next to its destination and renamed
into place, checked with ``PRAGMA quick_check``, and gets the database file's mode (0600 under
the systemd unit), so a backup is never more readable than the data it copies.

Restoring is copying a backup file to DATABASE_PATH while the bot is stopped (README). Messages
the outbox sent after the backup was taken are not marked sent in it, so the restored bot sends
them again: the backup's age is the duplicate window of a restore.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.private_files import private_folder

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

PREFIX = "forum-"
SUFFIX = ".db"
JOB_NAME = "backup:daily"


class BackupError(Exception):
    """The copy could not be made or is damaged."""


def backup_name(moment: datetime) -> str:
    """``forum-20181114-030000.db`` (UTC), sorting in time order."""
    return f"{PREFIX}{moment.strftime('%Y%m%d-%H%M%S')}{SUFFIX}"


def backup_file(source: Path | str, dest: Path) -> Path:
    """Copy the database at ``source`` to ``dest`` consistently; returns ``dest``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    private_folder(dest.parent)  # the database's data: the owner's only
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    mode = stat.S_IMODE(source.stat().st_mode)
    # Created with the database's mode from the start: no moment where it is more readable.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    try:
        # Not mode=ro: a read-only connection to a WAL database cannot always open its -shm.
        src = sqlite3.connect(source, timeout=30)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)  # all pages in one step: one consistent snapshot
                # A backup file stands alone: no -wal next to it is needed to read it.
                dst.execute("PRAGMA journal_mode=DELETE")
                verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if verdict != "ok":
            raise BackupError(f"the copy failed its check: {verdict}")
        os.chmod(partial, mode)
        os.replace(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return dest


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups in ``folder``; returns the deleted files."""
    found = sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
    doomed = found[:-keep] if keep > 0 else found
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


async def daily_backup(services: Services) -> Path | None:
    """One run of the daily job: a copy into BACKUP_DIR, then the oldest beyond BACKUP_KEEP go."""
    settings = services.settings
    if settings.backup_dir is None:
        return None
    dest = settings.backup_dir / backup_name(services.clock.now())
    try:
        await asyncio.to_thread(backup_file, settings.database_path, dest)
    except (OSError, sqlite3.Error, BackupError) as exc:
        log.error("daily backup failed: %s", exc)
        return None
    removed = await asyncio.to_thread(prune, settings.backup_dir, settings.backup_keep)
    log.info("daily backup written (%d old one(s) removed)", len(removed))
    return dest


def install(application: Any, services: Services) -> None:
    """With BACKUP_DIR set: a job every day at BACKUP_HOUR (forum time)."""
    if services.settings.backup_dir is None or application.job_queue is None:
        return

    async def job(context: Any) -> None:
        await daily_backup(services)

    at = time(services.settings.backup_hour, 0, tzinfo=services.content.forum.tz)
    application.job_queue.run_daily(job, at, name=JOB_NAME)


def run_cli(path: Path | None, settings: Any) -> int:
    """``forum-bot backup [PATH]``: to PATH, else into BACKUP_DIR, else the current folder."""
    from datetime import UTC

    name = backup_name(datetime.now(UTC))
    if path is None:
        path = (settings.backup_dir or Path(".")) / name
    elif path.is_dir():
        path = path / name
    try:
        backup_file(settings.database_path, path)
    except (OSError, sqlite3.Error, BackupError) as exc:
        print(f"Backup failed: {exc}")
        return 1
    print(path)
    return 0
