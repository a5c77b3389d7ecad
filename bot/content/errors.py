"""Errors of the content file: ContentError and the custom pydantic error of the models."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError

FILE = "(file)"  # the path of errors about the file as a whole


class ContentError(Exception):
    """The content file is unusable; ``errors`` lists each problem as ``(path, message)``."""

    def __init__(self, errors: Sequence[tuple[str, str]], source_path: Path | None = None) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        self.source_path = source_path
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{path}: {message}" if path else message for path, message in self.errors)


def content_error(code: str, message: str, /, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(f"content_{code}", message, context or None)


def plural(count: int, word: str) -> str:
    """``1 item``, ``2 items``: English counts in messages for organizers."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
