"""The flood guard judges floods and forgets idle users: its memory stays bounded."""

from __future__ import annotations

from bot.services.flood import FloodGuard


def test_flood_is_refused_once_with_a_notice_then_allowed_after_the_window() -> None:
    guard = FloodGuard(limit=3, window=10.0, max_users=10)
    assert [guard.check(1, t).allowed for t in (0.0, 0.1, 0.2)] == [True, True, True]
    refused = guard.check(1, 0.3)
    assert (refused.allowed, refused.notify) == (False, True)
    again = guard.check(1, 0.4)
    assert (again.allowed, again.notify) == (False, False)
    assert guard.check(1, 10.05).allowed


def test_100000_distinct_users_keep_at_most_the_configured_number() -> None:
    guard = FloodGuard(limit=20, window=10.0, max_users=1000)
    for user_id in range(100_000):
        # 1,000 updates a second: 10,000 users inside one window, more than max_users.
        assert guard.check(user_id, user_id / 1000).allowed
        assert len(guard) <= 1000
    # Later, only one person writes: everyone idle for a window is forgotten.
    guard.check(7, 1000.0)
    assert len(guard) == 1


def test_idle_users_are_forgotten_without_the_cap() -> None:
    guard = FloodGuard(limit=20, window=10.0, max_users=1_000_000)
    for user_id in range(100_000):
        guard.check(user_id, user_id / 100)  # 100 a second: 1,000 inside one window
    assert len(guard) <= 1001
