"""``forum-bot check-content FILE``: validate a forum content file and print what it holds."""

from __future__ import annotations

from pathlib import Path

from bot.content import ContentError, load_content, summarize


def check_content_main(path: Path) -> int:
    """Print a summary of the content in ``path`` and return 0, or print its errors and return 2."""
    try:
        forum = load_content(Path(path))
    except ContentError as exc:
        count = len(exc.errors)
        print(f"{count} error{'' if count == 1 else 's'} in {path}:")
        for where, message in exc.errors:
            print(f"  {where}: {message}")
        return 2
    print(f"{path}: OK")
    print(summarize(forum))
    return 0
