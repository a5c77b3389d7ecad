"""The reminder plan: as late as possible, never after the wish minus the margin, at the rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from bot.services.reminders import MARGIN, plan

START = datetime(2018, 11, 14, 10, 0, tzinfo=UTC)


def test_crowd_starts_early_enough_and_others_keep_their_lead() -> None:
    ten = [(START - timedelta(minutes=10), ("s", i)) for i in range(300)]
    five = [(START - timedelta(minutes=5), ("s", 1000 + i)) for i in range(10)]
    moments = plan(ten + five, rate=1.0)
    tens = sorted(moments[k] for _, k in ten)
    fives = sorted(moments[k] for _, k in five)
    assert tens[-1] == START - timedelta(minutes=10) - MARGIN
    assert tens[0] == tens[-1] - timedelta(seconds=299)  # 300 at 1/s: 299 s before the last
    assert fives[-1] == START - timedelta(minutes=5) - MARGIN
    assert fives[0] == fives[-1] - timedelta(seconds=9)  # not pulled into the 10-minute crowd
    ordered = sorted(moments.values())
    assert all(b - a >= timedelta(seconds=1) for a, b in pairwise(ordered))


def test_overlapping_crowds_push_each_other_back() -> None:
    wishes = [(START - timedelta(minutes=5), i) for i in range(400)]
    wishes += [(START - timedelta(minutes=10), 1000 + i) for i in range(10)]
    moments = plan(wishes, rate=1.0)
    assert max(moments.values()) == START - timedelta(minutes=5) - MARGIN
    # 400 five-minute reminders need 400 s, past the 10-minute wish: those go before them.
    earliest_five = min(moments[i] for i in range(400))
    assert all(moments[1000 + i] < earliest_five for i in range(10))
    assert len(set(moments.values())) == len(moments)
