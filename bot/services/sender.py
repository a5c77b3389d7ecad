"""The sender: one task that drains the outbox at Telegram's speed limit, never twice.

How a row travels: ``pending`` -> (claimed in a committed transaction) ``sending`` -> HTTP
``sendMessage`` -> ``sent`` / ``failed`` / ``blocked`` / back to ``pending`` (retry), recorded in
batched transactions. A chat is "busy" from its row's claim until the outcome is committed, so
at most ONE row per chat is ever in ``sending``.

The in-flight window (what a SIGKILL can do): rows found in ``sending`` at start-up were either
not sent yet, or sent but not yet recorded. They are sent again, so such a recipient may get
one extra copy (never more: one row per chat is in flight), and nothing is ever lost. Every
other row is sent exactly once.

Pacing is our own: a token bucket for the overall rate (OUTBOX_RATE, with OUTBOX_PAID_BROADCAST
up to 1000/s), a minimum interval per chat (OUTBOX_CHAT_RATE), and a bounded pool of concurrent
requests. On top of that every send takes a bulk slot of the send budget it shares with the
replies (``bot.pacing.SendBudget``, when given): replies go first, bulk uses what they leave.
A 429 pauses everyone for ``retry_after``; network errors and 5xx are retried with
exponential backoff; a 403 marks the user blocked (their other queued rows too); other 4xx are
recorded as failed with Telegram's description.

Why not the Application's bot: PTB's ``AIORateLimiter`` throttles every request to 30/s and
retries 429s itself (``rate_limit_args=0`` does not turn that off: it reads
``rate_limit_args or self._max_retries``). The sender therefore talks to the Bot API through its
own small aiohttp client with the same base URL and token, so its pacing and retries are the
only ones in charge, and it keeps JSON parsing to the two fields it needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp

from bot.logs import without_urls
from bot.pacing import Bucket
from storage.outbox import OutboxRepo, OutboxRow, Result, parse_stamp, stamp

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.pacing import SendBudget

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = 1.0
BACKOFF_MAX = 300.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What Telegram answered to one send."""

    kind: str  # ok, retry_after, blocked, bad, transient
    message_id: int | None = None
    retry_after: float = 0.0
    error: str | None = None


class Transport(Protocol):
    """Sends one message; never raises for an API or network error (returns an Outcome)."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def send_message(
        self, chat_id: int, text: str, reply_markup: str | None, parse_mode: str | None
    ) -> Outcome: ...


def classify(status: int, body: dict[str, Any] | None) -> Outcome:
    """Map a Bot API answer to an Outcome."""
    body = body or {}
    if status == 200 and body.get("ok"):
        result = body.get("result") or {}
        return Outcome("ok", message_id=result.get("message_id"))
    code = int(body.get("error_code") or status)
    description = str(body.get("description") or f"HTTP {status}")
    if code == 429:
        retry = (body.get("parameters") or {}).get("retry_after", 1)
        return Outcome("retry_after", retry_after=float(retry), error=description)
    if code == 403:
        return Outcome("blocked", error=description)
    if code >= 500 or code in (408, 409, 420):
        return Outcome("transient", error=description)
    return Outcome("bad", error=description)


class BotApiTransport:
    """``sendMessage`` over aiohttp, with a connection pool as large as the concurrency."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        connections: int = 64,
        paid_broadcast: bool = False,
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> None:
        self.url = f"{base_url}{token}/sendMessage"
        self.connections = connections
        self.paid_broadcast = paid_broadcast
        self.timeout = timeout or aiohttp.ClientTimeout(total=30, connect=10)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the connection pool."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections, ttl_dns_cache=300),
                timeout=self.timeout,
            )

    async def close(self) -> None:
        """Close the pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send_message(
        self, chat_id: int, text: str, reply_markup: str | None, parse_mode: str | None
    ) -> Outcome:
        """One ``sendMessage``."""
        assert self._session is not None, "transport not started"
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if parse_mode:
            payload["parse_mode"] = parse_mode
        if self.paid_broadcast:
            payload["allow_paid_broadcast"] = True
        body = json.dumps(payload, ensure_ascii=False)
        if reply_markup:
            body = body[:-1] + ',"reply_markup":' + reply_markup + "}"
        try:
            async with self._session.post(
                self.url, data=body.encode(), headers={"Content-Type": "application/json"}
            ) as response:
                try:
                    data = await response.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    data = None
                return classify(response.status, data if isinstance(data, dict) else None)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            # Stored in the outbox and shown in failure CSVs: never the URL (it holds the token).
            error = without_urls(f"network: {type(exc).__name__}: {exc}")
            return Outcome("transient", error=error[:300])


class TokenBucket(Bucket):
    """The shared :class:`bot.pacing.Bucket` on its own clock, with the sender's wait loop."""

    def __init__(self, rate: float, burst: float, monotonic: Callable[[], float]) -> None:
        super().__init__(rate, burst, monotonic())
        self.monotonic = monotonic

    def delay(self) -> float:
        """Take a token and return 0, or return how long to wait for one."""
        wait = self.wait(self.monotonic())
        if wait == 0:
            self.take()
        return wait

    async def acquire(self) -> None:
        """Wait for a token."""
        while (wait := self.delay()) > 0:  # noqa: ASYNC110 - pacing, not waiting for an event
            await asyncio.sleep(wait)


@dataclass
class SenderStats:
    """Counters since start (for logs, progress and the benchmark)."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    retried: int = 0
    rate_limited: int = 0
    skipped: int = 0
    recovered: int = 0


class Sender:
    """Drains the outbox. ``start()`` once the database is open; ``stop()`` before it closes."""

    def __init__(
        self,
        repo: OutboxRepo,
        transport: Transport,
        clock: Clock,
        *,
        rate: float = 25.0,
        chat_rate: float = 1.0,
        concurrency: int = 32,
        flush_interval: float = 0.05,
        on_flushed: Callable[[list[Result]], None] | None = None,
        budget: SendBudget | None = None,
    ) -> None:
        self.repo = repo
        self.transport = transport
        self.clock = clock
        self.rate = rate
        self.chat_interval = 1.0 / chat_rate if chat_rate > 0 else 0.0
        self.concurrency = max(1, concurrency)
        self.flush_interval = flush_interval
        self.on_flushed = on_flushed
        self.budget = budget
        self.stats = SenderStats()
        monotonic = clock.monotonic
        self.monotonic = monotonic
        burst = rate * 0.2 if rate > 0 else 1.0
        self.bucket = TokenBucket(rate, burst, monotonic)
        self.paused_until = 0.0
        self._busy: set[int] = set()  # chats with a row claimed and not yet recorded
        self._ready_at: dict[int, float] = {}  # chat -> monotonic moment it may get the next one
        self._results: list[Result] = []
        self._slots = asyncio.Semaphore(self.concurrency)
        self._wake = asyncio.Event()
        self._flush_now = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._flush_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_settle = 0.0
        self.idle = asyncio.Event()

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> None:
        """Recover the in-flight window and start draining."""
        await self.transport.start()
        self.stats.recovered = await self.repo.recover_in_flight()
        if self.stats.recovered:
            log.warning(
                "outbox: %d message(s) were in flight at the last stop; sending them again"
                " (each recipient may get one extra copy)",
                self.stats.recovered,
            )
        self._stopping = False
        self._loop_task = asyncio.create_task(self._run(), name="outbox-sender")
        self._flush_task = asyncio.create_task(self._flush_loop(), name="outbox-flush")

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming, let in-flight sends finish (up to ``grace`` s), record them, close."""
        self._stopping = True
        self._wake.set()
        # The loops are asked to end, not cancelled: a task cancelled while it starts a
        # database transaction can leave it open (the BEGIN runs in aiosqlite's thread), and
        # the last flush below would then fail. Cancelling is the fallback after ``grace``.
        await _finish(self._loop_task, grace)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace)
        self._flush_now.set()
        await _finish(self._flush_task, grace)
        await self._flush()
        if not self._tasks:
            # Every send that started has finished and is recorded: rows still 'sending' were
            # claimed by the loop just before it was cancelled and never sent. Back to
            # 'pending' now, so an orderly stop leaves nothing in the in-flight window.
            await self.repo.recover_in_flight()
        await self.transport.close()

    def wake(self) -> None:
        """New rows were queued (or a broadcast resumed)."""
        self._wake.set()

    # ------------------------------------------------------------------ the loop
    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), max(0.0, seconds))

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._step()
            except asyncio.CancelledError:
                raise
            except Exception:  # the sender must survive anything (a locked database, ...)
                log.exception("outbox sender step failed; retrying in 1 s")
                await asyncio.sleep(1.0)

    async def _step(self) -> None:
        now_m = self.monotonic()
        if now_m < self.paused_until:
            await self._sleep(min(1.0, self.paused_until - now_m))  # stop() may wake it
            return
        now = self.clock.now()
        if now_m - self._last_settle >= 1.0:
            self._last_settle = now_m
            settled = await self.repo.settle_unsendable(now)
            self.stats.skipped += settled
        # Busy chats = requests in flight + outcomes not yet recorded: bounding them bounds the
        # rows in 'sending', i.e. the in-flight window, to OUTBOX_CONCURRENCY (one per chat).
        free = self.concurrency - len(self._busy)
        if free <= 0:
            await self._sleep(0.05)
            return
        waiting = [c for c, t in self._ready_at.items() if t > now_m]
        for chat in [c for c, t in self._ready_at.items() if t <= now_m]:
            del self._ready_at[chat]
        exclude = sorted(self._busy.union(waiting))
        batch = free if self.rate <= 0 else min(free, max(1, int(self.rate * 0.25)))
        self._wake.clear()
        rows = await self.repo.due(now, batch * 2, exclude if len(exclude) <= 500 else ())
        chosen: list[OutboxRow] = []
        chats: set[int] = set()
        for row in rows:
            if row.user_id in self._busy or row.user_id in chats:
                continue
            if self._ready_at.get(row.user_id, 0.0) > now_m:
                continue
            chosen.append(row)
            chats.add(row.user_id)
            if len(chosen) >= batch:
                break
        if not chosen:
            if not self._tasks and not self._results:
                self.idle.set()
            soonest = min(self._ready_at.values(), default=now_m + 1.0)
            await self._sleep(min(1.0, max(0.01, soonest - now_m)))
            return
        self.idle.clear()
        self._busy.update(chats)
        claimed = await self.repo.claim([r.id for r in chosen], now)
        if claimed != len(chosen):  # someone else changed them (cannot happen with one sender)
            log.warning("outbox: claimed %d of %d rows", claimed, len(chosen))
        for row in chosen:
            if self.monotonic() < self.paused_until:
                await asyncio.sleep(max(0.0, self.paused_until - self.monotonic()))
            await self.bucket.acquire()
            if self.budget is not None:  # after the replies waiting for a slot
                await self.budget.acquire(row.user_id, reply=False)
            await self._slots.acquire()
            task = asyncio.create_task(self._deliver(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            expires = parse_stamp(row.expires_at)
            if expires is not None and self.clock.now() >= expires:
                self._record(Result(row.id, row.user_id, "skipped", error="expired"))
                self.stats.skipped += 1
                return
            try:
                outcome = await self.transport.send_message(
                    row.user_id, row.text, row.reply_markup, row.parse_mode
                )
            except Exception as exc:  # a transport must not raise, but never lose the row
                log.exception("outbox transport raised")
                outcome = Outcome(
                    "transient", error=without_urls(f"{type(exc).__name__}: {exc}")[:300]
                )
        finally:
            self._slots.release()
        self._record(self._result(row, outcome))

    def _result(self, row: OutboxRow, outcome: Outcome) -> Result:
        now_m = self.monotonic()
        if outcome.kind == "ok":
            self.stats.sent += 1
            if self.chat_interval:
                self._ready_at[row.user_id] = now_m + self.chat_interval
            return Result(row.id, row.user_id, "sent", telegram_message_id=outcome.message_id)
        if outcome.kind == "retry_after":
            self.stats.rate_limited += 1
            pause = max(outcome.retry_after, 0.5)
            self.paused_until = max(self.paused_until, now_m + pause)
            if self.budget is not None:
                self.budget.hold(row.user_id, pause)
            log.warning("outbox: 429 from Telegram, everyone waits %.1f s", pause)
            self._ready_at[row.user_id] = now_m + pause
            return Result(row.id, row.user_id, "pending", error=outcome.error, undo_attempt=True)
        if outcome.kind == "blocked":
            self.stats.blocked += 1
            return Result(row.id, row.user_id, "blocked", error=outcome.error)
        if outcome.kind == "bad":
            self.stats.failed += 1
            return Result(row.id, row.user_id, "failed", error=outcome.error)
        if row.attempts + 1 >= MAX_ATTEMPTS:
            self.stats.failed += 1
            return Result(row.id, row.user_id, "failed", error=f"gave up: {outcome.error}")
        self.stats.retried += 1
        delay = min(BACKOFF_MAX, BACKOFF_BASE * 2**row.attempts) * random.uniform(0.8, 1.2)
        self._ready_at[row.user_id] = now_m + delay
        retry_at = self.clock.now() + timedelta(seconds=delay)
        return Result(
            row.id, row.user_id, "pending", error=outcome.error, next_attempt_at=stamp(retry_at)
        )

    def _record(self, result: Result) -> None:
        self._results.append(result)
        if len(self._results) >= max(1, self.concurrency // 2):
            self._flush_now.set()

    # ------------------------------------------------------------------ recording
    async def _flush_loop(self) -> None:
        # Not ``while True``: before Python 3.12, wait_for() can swallow the cancellation
        # stop() sends when the event is set at the same moment (in-flight sends finishing),
        # and this loop would then run forever and hang the shutdown. stop() flushes last.
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flush_now.wait(), self.flush_interval)
            self._flush_now.clear()
            try:
                await self._flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox: recording results failed; retrying")
                await asyncio.sleep(0.5)

    async def _flush(self) -> None:
        if not self._results:
            return
        batch, self._results = self._results, []
        try:
            await self.repo.apply(batch, self.clock.now())
        except BaseException:
            self._results[:0] = batch  # keep them for the next try
            raise
        for result in batch:
            self._busy.discard(result.user_id)
        if self.on_flushed is not None:
            self.on_flushed(batch)
        self._wake.set()

    # ------------------------------------------------------------------ for tests and tools
    async def drained(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until nothing due is left and nothing is in flight (tests, benchmarks)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            due = await self.repo.due(self.clock.now(), 1)
            if not due and not self._tasks and not self._results and not self._busy:
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("the outbox did not drain")


async def _finish(task: asyncio.Task[None] | None, grace: float) -> None:
    """Wait for a loop that was asked to stop; cancel it if it does not within ``grace``."""
    if task is None:
        return
    done, _ = await asyncio.wait({task}, timeout=grace)
    if not done:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
