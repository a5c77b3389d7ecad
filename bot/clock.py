"""The one source of "now" for the bot.

Production uses the system clock. Rehearsals (``forum-bot sandbox --at``) and tests shift it to a
moment of the forum day, and tests may freeze or move it. Every value is an aware UTC datetime.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Real time, optionally shifted to start at a chosen moment, or frozen for tests."""

    def __init__(self, start_at: datetime | None = None, *, frozen: bool = False) -> None:
        self._offset = timedelta(0)
        self._frozen: datetime | None = None
        if start_at is not None:
            self.set(start_at, frozen=frozen)

    def now(self) -> datetime:
        """The current moment as an aware UTC datetime."""
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    def set(self, moment: datetime, *, frozen: bool = False) -> None:
        """Move the clock to ``moment`` (aware); it keeps running unless ``frozen``."""
        if moment.tzinfo is None:
            raise ValueError("Clock.set needs an aware datetime")
        moment = moment.astimezone(UTC)
        if frozen:
            self._frozen = moment
        else:
            self._frozen = None
            self._offset = moment - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta`` (tests and rehearsals)."""
        if self._frozen is not None:
            self._frozen += delta
        else:
            self._offset += delta

    def real_delay(self, moment: datetime) -> float:
        """Seconds of real time until the clock shows ``moment`` (0 if already past).

        The JobQueue runs on real time; a shifted clock needs this to schedule work at a forum
        moment. A frozen clock never reaches a future moment by itself, so the delay is infinite.
        """
        remaining = (moment - self.now()).total_seconds()
        if remaining <= 0:
            return 0.0
        if self._frozen is not None:
            return float("inf")
        return remaining

    @staticmethod
    def monotonic() -> float:
        """Monotonic seconds, for rates and timeouts."""
        return time.monotonic()
