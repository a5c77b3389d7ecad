"""Folders for the database and its copies, created readable by the owner only (0700)."""

from __future__ import annotations

from pathlib import Path


def private_folder(path: Path) -> None:
    """Create ``path`` (and missing parents) with mode 0700; an existing folder is left as it is.

    ``mkdir``'s mode is filtered by the umask, so the folder is chmod-ed after; parents created
    on the way get the same mode (they lead only to this folder).
    """
    if path.exists():
        return
    missing = [path, *(p for p in path.parents if not p.exists())]
    path.mkdir(parents=True, mode=0o700)
    for folder in missing:
        folder.chmod(0o700)
