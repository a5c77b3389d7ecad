"""One send budget for all the bot says: Telegram's overall and per-chat limits, replies first.

Telegram lets a bot send about 30 messages a second overall and about one a second per chat
(short bursts tolerated); above that it answers 429 with ``retry_after``. Replies to people (PTB
calls, through :class:`bot.rate_limiter.SharedRateLimiter`) and bulk (the outbox sender:
broadcasts, reminders, alerts) both take a slot here before a counted call, so together they
stay under the limit instead of discovering it through 429s.

Who goes first: a slot is granted to the oldest waiting reply whose chat may receive now; only
when no reply can use the slot does the oldest bulk waiter get it. So bulk yields while people
wait, and takes the whole budget back as soon as they stop (nothing is reserved for idle
replies). A 429 holds its chat for ``retry_after`` and everyone for a moment (see ``hold``).

A free slot is granted on the spot; only callers that must wait are queued, and one dispatcher
task hands out slots in order, so a queue of thousands costs one wake-up per slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# How long everyone waits after a 429 at most (the 429's chat waits its full retry_after).
GLOBAL_HOLD_MAX = 1.0


class Bucket:
    """``rate`` tokens a second, at most ``burst`` saved up; ``rate <= 0`` never limits."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self.tokens = self.burst
        self.stamp = now

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0: one is there now)."""
        if self.rate <= 0:
            return 0.0
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        """Spend a token (after ``wait`` returned 0)."""
        if self.rate > 0:
            self.tokens -= 1

    def full(self, now: float) -> bool:
        """True when the bucket has refilled completely (it can be forgotten)."""
        return self.rate <= 0 or self.tokens + (now - self.stamp) * self.rate >= self.burst


@dataclass(eq=False)
class _Waiter:
    chat: int | None
    future: asyncio.Future[None]
    since: float


@dataclass
class BudgetStats:
    """Counters since start (benchmarks, logs)."""

    replies: int = 0
    bulk: int = 0
    replies_waited: int = 0
    holds: int = 0
    reply_wait_max: float = 0.0


class SendBudget:
    """Slots for counted Bot API calls: ``rate``/s overall, ``chat_rate``/s per chat."""

    def __init__(
        self,
        rate: float = 30.0,
        chat_rate: float = 1.0,
        *,
        burst: float | None = None,
        chat_burst: float = 3.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.chat_rate = chat_rate
        self.chat_burst = chat_burst
        self.monotonic = monotonic
        now = monotonic()
        # A small overall burst: after a quiet moment a few go at once, then strictly paced.
        self._global = Bucket(rate, burst if burst is not None else max(1.0, rate * 0.2), now)
        self._chats: dict[int, Bucket] = {}
        self._held_until = 0.0
        self._chat_held: dict[int, float] = {}
        self._replies: deque[_Waiter] = deque()
        self._bulk: deque[_Waiter] = deque()
        self._kick: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_prune = now
        self._closed = False
        self.stats = BudgetStats()

    # ------------------------------------------------------------------ public
    @property
    def replies_waiting(self) -> int:
        """Replies queued for a slot right now."""
        return len(self._replies)

    def try_acquire(self, chat: int | None, *, reply: bool) -> bool:
        """Take a slot now if one is free and nobody who goes first is waiting."""
        if self._closed:  # shutting down: the last in-flight sends are not held up
            return True
        # A reply never jumps waiting replies; bulk never jumps anyone.
        if self._replies or (not reply and self._bulk):
            return False
        now = self.monotonic()
        if self._ready(chat, now) > 0.0:
            return False
        self._grant(chat, now, reply)
        return True

    async def acquire(self, chat: int | None, *, reply: bool) -> None:
        """Wait for a slot to send one counted call to ``chat``."""
        if self.try_acquire(chat, reply=reply):
            return
        queue = self._replies if reply else self._bulk
        loop = asyncio.get_running_loop()
        now = self.monotonic()
        waiter = _Waiter(chat, loop.create_future(), now)
        queue.append(waiter)
        self._ensure_dispatcher(loop)
        assert self._kick is not None
        self._kick.set()
        # A caller cancelled while queued is skipped by the dispatcher (its future is done).
        await waiter.future
        if reply:
            waited = self.monotonic() - waiter.since
            self.stats.replies_waited += 1
            self.stats.reply_wait_max = max(self.stats.reply_wait_max, waited)

    def hold(self, chat: int | None, seconds: float) -> None:
        """Telegram answered 429: this chat waits ``seconds``, everyone else a moment."""
        now = self.monotonic()
        self.stats.holds += 1
        if chat is not None:
            self._chat_held[chat] = max(self._chat_held.get(chat, 0.0), now + seconds)
        # A 429 may be the overall limit too: pause everyone briefly (not for a whole retry_after
        # of one chat, which would stall every other conversation).
        everyone = seconds if chat is None else min(seconds, GLOBAL_HOLD_MAX)
        self._held_until = max(self._held_until, now + everyone)
        if self._kick is not None:
            self._kick.set()

    async def close(self) -> None:
        """Stop the dispatcher (waiters still queued are released)."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await task
        for waiter in (*self._replies, *self._bulk):
            if not waiter.future.done():
                waiter.future.set_result(None)
        self._replies.clear()
        self._bulk.clear()

    # ------------------------------------------------------------------ internals
    def _ready(self, chat: int | None, now: float) -> float:
        """Seconds until a call to ``chat`` may go (0: now)."""
        wait = max(0.0, self._held_until - now, self._global.wait(now))
        if chat is not None:
            held = self._chat_held.get(chat)
            if held is not None:
                if held <= now:
                    del self._chat_held[chat]
                else:
                    wait = max(wait, held - now)
            bucket = self._chats.get(chat)
            if bucket is not None:
                wait = max(wait, bucket.wait(now))
        return wait

    def _chat_wait(self, chat: int | None, now: float) -> float:
        if chat is None:
            return 0.0
        wait = max(0.0, self._chat_held.get(chat, 0.0) - now)
        bucket = self._chats.get(chat)
        return max(wait, bucket.wait(now)) if bucket is not None else wait

    def _grant(self, chat: int | None, now: float, reply: bool) -> None:
        self._global.take()
        if chat is not None and self.chat_rate > 0:
            bucket = self._chats.get(chat)
            if bucket is None:
                bucket = self._chats[chat] = Bucket(self.chat_rate, self.chat_burst, now)
            bucket.wait(now)
            bucket.take()
        if reply:
            self.stats.replies += 1
        else:
            self.stats.bulk += 1
        if now - self._last_prune > 10.0:  # forget chats whose buckets are full again
            self._last_prune = now
            for key in [k for k, b in self._chats.items() if b.full(now)]:
                del self._chats[key]

    def _ensure_dispatcher(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._task is not None and not self._task.done() and self._task.get_loop() is loop:
            return
        self._kick = asyncio.Event()
        self._task = loop.create_task(self._dispatch(), name="send-budget")

    def _pick(self, now: float) -> tuple[_Waiter | None, bool, float]:
        """The waiter to grant now (replies first) and whether it is a reply, else how long
        until one could go."""
        soonest = float("inf")
        for reply, queue in ((True, self._replies), (False, self._bulk)):
            while queue and queue[0].future.done():  # cancelled callers
                queue.popleft()
            for waiter in queue:
                if waiter.future.done():
                    continue
                wait = self._chat_wait(waiter.chat, now)
                if wait <= 0:
                    queue.remove(waiter)
                    return waiter, reply, 0.0
                soonest = min(soonest, wait)
        return None, False, soonest

    async def _dispatch(self) -> None:
        assert self._kick is not None
        kick = self._kick
        while True:
            if not self._replies and not self._bulk:
                kick.clear()
                await kick.wait()
                continue
            now = self.monotonic()
            wait = max(0.0, self._held_until - now, self._global.wait(now))
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            waiter, reply, soonest = self._pick(now)
            if waiter is None:
                kick.clear()
                timeout = None if soonest == float("inf") else soonest
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(kick.wait(), timeout)
                continue
            self._grant(waiter.chat, now, reply)
            waiter.future.set_result(None)
