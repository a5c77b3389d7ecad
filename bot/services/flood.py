"""Per-user flood guard: a sliding window of update times per user, forgetting idle users.

Memory stays bounded: a user whose last update is older than the window has nothing left to
judge and is dropped (the map is kept in order of last activity, so the idle ones are at its
front); and at most ``max_users`` users are tracked at all, the least recently active going
first when more write within one window.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FloodVerdict:
    """Whether to handle an update, and whether to tell the user to slow down."""

    allowed: bool
    notify: bool = False


@dataclass(slots=True)
class _Track:
    times: deque[float] = field(default_factory=deque)
    notified: bool = False


class FloodGuard:
    """At most ``limit`` updates per user in any ``window`` seconds; one notice per flood."""

    def __init__(self, limit: int, window: float, max_users: int = 50_000) -> None:
        self.limit = limit
        self.window = window
        self.max_users = max_users
        self._users: OrderedDict[int, _Track] = OrderedDict()

    def __len__(self) -> int:
        """How many users are tracked now."""
        return len(self._users)

    def check(self, user_id: int, now: float) -> FloodVerdict:
        """Record an update from ``user_id`` at monotonic time ``now`` and judge it."""
        self._forget_idle(now)
        track = self._users.get(user_id)
        if track is None:
            track = self._users[user_id] = _Track()
            while len(self._users) > self.max_users:
                self._users.popitem(last=False)
        else:
            self._users.move_to_end(user_id)
        times = track.times
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            if track.notified:
                return FloodVerdict(allowed=False)
            track.notified = True
            return FloodVerdict(allowed=False, notify=True)
        times.append(now)
        track.notified = False
        return FloodVerdict(allowed=True)

    def _forget_idle(self, now: float) -> None:
        """Drop users whose newest update left the window (least recently active first)."""
        while self._users:
            oldest = next(iter(self._users.values()))
            if oldest.times and now - oldest.times[-1] < self.window:
                return
            self._users.popitem(last=False)
