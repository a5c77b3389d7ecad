"""Backups: consistent while written to, the database's file mode, rotation, the CLI."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.__main__ import main
from bot.clock import Clock
from bot.services.backup import backup_file, backup_name, daily_backup, prune


def make_db(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)")
    os.chmod(path, 0o600)


def test_copy_is_consistent_while_a_writer_runs(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    make_db(db)
    stop = threading.Event()

    def writer() -> None:
        # Every transaction inserts a row with a == b; a torn copy would show a != b or
        # a count that no commit ever had.
        conn = sqlite3.connect(db, timeout=30)
        n = 0
        while not stop.is_set():
            n += 1
            with conn:
                conn.execute("INSERT INTO t (a, b) VALUES (?, ?)", (n, n))
                conn.execute("UPDATE t SET b = b + 1, a = a + 1 WHERE id = 1")
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = [backup_file(db, tmp_path / f"copy{i}.db") for i in range(5)]
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert not copy.with_name(copy.name + "-wal").exists()
        with sqlite3.connect(copy) as conn:
            assert conn.execute("SELECT COUNT(*) FROM t WHERE a != b").fetchone()[0] == 0
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(tmp_path.glob("*.partial"))


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    start = datetime(2018, 11, 1, 3, tzinfo=UTC)
    for day in range(10):
        (tmp_path / backup_name(start + timedelta(days=day))).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a backup")
    removed = prune(tmp_path, 7)
    assert len(removed) == 3
    left = sorted(p.name for p in tmp_path.glob("forum-*.db"))
    assert left[0] == backup_name(start + timedelta(days=3)) and len(left) == 7
    assert (tmp_path / "notes.txt").exists()


async def test_daily_job_writes_and_rotates(tmp_path: Path) -> None:
    db = tmp_path / "forum.db"
    make_db(db)
    folder = tmp_path / "backups"
    clock = Clock(datetime(2018, 11, 14, 3, tzinfo=UTC), frozen=True)
    services = SimpleNamespace(
        settings=SimpleNamespace(database_path=db, backup_dir=folder, backup_keep=2),
        clock=clock,
    )
    for _ in range(3):
        written = await daily_backup(services)
        assert written is not None and written.exists()
        clock.advance(timedelta(days=1))
    assert sorted(p.name for p in folder.iterdir()) == [
        "forum-20181115-030000.db",
        "forum-20181116-030000.db",
    ]
    # The folder the job created holds copies of the database: the owner's only.
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_cli_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    db = tmp_path / "forum.db"
    make_db(db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(db))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    assert main(["backup", str(tmp_path / "copy.db")]) == 0
    assert (tmp_path / "copy.db").exists()
    assert main(["backup", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("forum-*.db"))) == 1
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "missing.db"))
    assert main(["backup", str(tmp_path / "nothing.db")]) == 1
    assert "Backup failed" in capsys.readouterr().out
