"""Per-user flood guard: a sliding window of update times per user."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FloodVerdict:
    """Whether to handle an update, and whether to tell the user to slow down."""

    allowed: bool
    notify: bool = False


class FloodGuard:
    """At most ``limit`` updates per user in any ``window`` seconds; one notice per flood."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._times: dict[int, deque[float]] = {}
        self._notified: set[int] = set()

    def check(self, user_id: int, now: float) -> FloodVerdict:
        """Record an update from ``user_id`` at monotonic time ``now`` and judge it."""
        times = self._times.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            if user_id in self._notified:
                return FloodVerdict(allowed=False)
            self._notified.add(user_id)
            return FloodVerdict(allowed=False, notify=True)
        times.append(now)
        self._notified.discard(user_id)
        return FloodVerdict(allowed=True)
