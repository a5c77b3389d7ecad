"""Reliability suite: the e2e fixtures (sandbox, bots in and out of process, users), helpers."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import (  # noqa: F401  (fixtures, re-exported for this folder)
    bot_app,
    bot_process,
    bot_settings,
    clock,
    make_user,
    sandbox,
    update_mode,
)

TRACEBACK_MARKERS = ("Traceback", 'File "', "Error:", "Exception")


class Collect(logging.Handler):
    """Keeps every record at or above its level."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def error_log() -> Iterator[Collect]:
    """ERROR records of the bot (an exception that reached the error handler, or worse)."""
    handler = Collect(logging.ERROR)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def assert_no_traceback(text: str) -> None:
    """What a user sees never looks like a stack trace."""
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, f"the user saw {marker!r}: {text[:300]!r}"
