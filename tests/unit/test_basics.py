"""Callback data, the flood guard, the clock and token redaction."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import Clock
from bot.logs import RedactingFormatter
from bot.services.flood import FloodGuard
from handlers import callbacks


def test_callback_data_round_trip_and_limits() -> None:
    data = callbacks.make("agenda", "open", "plenary_1", 3)
    parsed = callbacks.parse(data)
    assert parsed is not None
    assert (parsed.feature, parsed.action, parsed.args) == ("agenda", "open", ("plenary_1", "3"))
    assert parsed.int_arg(1) == 3 and parsed.int_arg(0) is None and parsed.arg(5, "x") == "x"
    with pytest.raises(ValueError, match="64 bytes"):
        callbacks.make("agenda", "open", "ә" * 40)
    with pytest.raises(ValueError, match="contains"):
        callbacks.make("agenda", "open", "a:b")
    for forged in (None, "", "nonsense", ":x", "x" * 65):
        assert callbacks.parse(forged) is None


def test_flood_guard_allows_the_limit_then_notifies_once() -> None:
    guard = FloodGuard(limit=3, window=10)
    verdicts = [guard.check(1, t) for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False, False]
    assert [v.notify for v in verdicts] == [False, False, False, True, False, False]
    assert guard.check(2, 0.6).allowed  # other users are not affected
    assert guard.check(1, 10.2).allowed  # the window passed


def test_clock_shift_freeze_and_real_delay() -> None:
    moment = datetime(2018, 11, 14, 4, 30, tzinfo=UTC)
    clock = Clock(moment, frozen=True)
    assert clock.now() == moment
    clock.advance(timedelta(minutes=5))
    assert clock.now() == moment + timedelta(minutes=5)
    assert clock.real_delay(moment) == 0.0
    running = Clock(moment)
    assert abs((running.now() - moment).total_seconds()) < 60
    assert 0 < running.real_delay(moment + timedelta(hours=1)) <= 3600
    with pytest.raises(ValueError, match="aware"):
        Clock(datetime(2018, 11, 14))


def test_token_is_redacted_from_log_records(caplog: pytest.LogCaptureFixture) -> None:
    token = "123456:SECRET-token"
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST https://api/bot%s/getMe", (token,), None
    )
    line = RedactingFormatter("%(message)s", token).format(record)
    assert token not in line
    assert "<BOT_TOKEN>" in line


def test_debug_logging_never_writes_sql_parameters() -> None:
    """aiosqlite logs statements with their parameters (answers, phones) at DEBUG."""
    from bot.logs import setup_logging

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    setup_logging("DEBUG", "123456:SECRET-token")
    try:
        assert logging.getLogger("bot").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.getLogger("aiosqlite").setLevel(logging.NOTSET)
