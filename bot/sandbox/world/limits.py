"""Injected faults and Telegram-like flood limits, and the world's log of Bot API calls."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.world.records import ApiError, Json

# Methods that count towards Telegram's flood limits.
FLOOD_METHODS = frozenset(
    {
        "sendmessage", "senddocument", "sendphoto", "sendmediagroup", "copymessage",
        "forwardmessage", "editmessagetext", "editmessagecaption", "editmessagereplymarkup",
    }
)  # fmt: skip


@dataclass
class Fault:
    """An injected failure: the next ``count`` matching calls fail or are slow."""

    method: str | None  # lower-case method name; None matches every method but getUpdates
    count: int
    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    delay: float = 0.0

    def to_json(self) -> Json:
        """The control API's view of the fault."""
        return {
            "method": self.method,
            "count": self.count,
            "status": self.status,
            "description": self.description,
            "retry_after": self.retry_after,
            "delay": self.delay,
        }

    def error(self) -> ApiError | None:
        """The API error this fault answers with, if it has a status."""
        if self.status is None:
            return None
        if self.status == 429:
            retry = self.retry_after if self.retry_after is not None else 1
            return ApiError(
                429,
                self.description or f"Too Many Requests: retry after {retry}",
                {"retry_after": retry},
            )
        default = {
            400: "Bad Request: injected fault",
            403: "Forbidden: injected fault",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }.get(self.status, "Injected fault")
        return ApiError(self.status, self.description or default)


@dataclass
class FloodConfig:
    """Telegram-like flood limits (off by default)."""

    enabled: bool = False
    global_rate: float = 30.0  # messages per second per bot
    global_burst: float = 30.0
    chat_rate: float = 1.0  # messages per second per chat
    chat_burst: float = 3.0

    def to_json(self) -> Json:
        """The control API's view."""
        return {
            "enabled": self.enabled,
            "global_rate": self.global_rate,
            "global_burst": self.global_burst,
            "chat_rate": self.chat_rate,
            "chat_burst": self.chat_burst,
        }


class TokenBucket:
    """A token bucket: ``rate`` tokens a second, at most ``burst`` saved up."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self) -> None:
        """Spend one token (call after ``wait_time`` returned 0)."""
        self.tokens -= 1


class ApiLimits:
    """Calls, faults and flood buckets of a :class:`SandboxWorld` (state set by its reset)."""

    monotonic: Callable[[], float]
    flood: FloodConfig
    calls: deque[Json]
    method_counts: dict[str, int]
    errors: deque[Json]
    faults: list[Fault]
    _global_bucket: TokenBucket | None
    _chat_buckets: dict[int, TokenBucket]

    # ------------------------------------------------------------------ calls, faults, flood
    def record_call(self, method: str, outcome: Json) -> None:
        """Log a Bot API call (bounded), count it, and keep failures aside."""
        self.calls.append(outcome)
        self.method_counts[method] = self.method_counts.get(method, 0) + 1
        if not outcome.get("ok", True):
            self.errors.append(outcome)

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault; faults are consumed in order."""
        if fault.method is not None:
            fault.method = fault.method.lower()
        self.faults.append(fault)

    def take_fault(self, method: str) -> Fault | None:
        """The fault that applies to this call of ``method`` (lower case), if any."""
        for index, fault in enumerate(self.faults):
            if fault.method == method or (fault.method is None and method != "getupdates"):
                fault.count -= 1
                if fault.count <= 0:
                    del self.faults[index]
                return fault
        return None

    def check_flood(self, method: str, chat_id: int | None) -> None:
        """Raise 429 with ``retry_after`` if this send would exceed the flood limits."""
        config = self.flood
        if not config.enabled or method not in FLOOD_METHODS:
            return
        now = self.monotonic()
        if self._global_bucket is None:
            self._global_bucket = TokenBucket(config.global_rate, config.global_burst, now)
        buckets = [self._global_bucket]
        if chat_id is not None:
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                bucket = self._chat_buckets[chat_id] = TokenBucket(
                    config.chat_rate, config.chat_burst, now
                )
            buckets.append(bucket)
        wait = max(b.wait_time(now) for b in buckets)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        for bucket in buckets:
            bucket.take()

    def configure_flood(self, **values: Any) -> FloodConfig:
        """Change the flood limits (and start with full buckets)."""
        for key, value in values.items():
            if value is not None and hasattr(self.flood, key):
                setattr(self.flood, key, type(getattr(self.flood, key))(value))
        self._global_bucket = None
        self._chat_buckets = {}
        return self.flood
