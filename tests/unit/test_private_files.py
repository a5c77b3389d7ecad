"""Folders for the database and its copies are the owner's only, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.private_files import private_folder


def test_new_folders_are_0700_even_under_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        private_folder(tmp_path / "data" / "db")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / "db").stat().st_mode) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    private_folder(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
