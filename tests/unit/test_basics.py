"""Callback data, the flood guard, the clock and token redaction."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot import callbacks
from bot.clock import Clock
from bot.logs import RedactTokenFilter
from bot.services.flood import FloodGuard


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
    assert RedactTokenFilter(token).filter(record)
    assert token not in record.getMessage()
    assert "<BOT_TOKEN>" in record.getMessage()


def test_numeric_callback_arguments_are_bounded() -> None:
    """A forged 30-digit id is "no such argument", never a number that overflows SQLite."""

    def first(data: str, **bounds: int) -> int | None:
        parsed = callbacks.parse(data)
        assert parsed is not None
        return parsed.int_arg(0, **bounds)

    assert first("pr:wd:" + "9" * 30) is None
    assert first(f"pr:wd:{2**31}") is None
    assert first("pr:wd:-1") is None
    assert first("pr:wd:٣") is None  # an Arabic-Indic digit: int() would take it
    assert first("pr:wd:42") == 42
    assert first("sv:a:3", hi=2) is None
