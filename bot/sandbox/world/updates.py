"""The bot's side of updates: the queue, ``getUpdates`` long polling and its confirmation."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque

from bot.sandbox.world.chats import Chats
from bot.sandbox.world.events import wake
from bot.sandbox.world.records import DEFAULT_ALLOWED, ApiError, Json


class Updates(Chats):
    """The update queue of a :class:`SandboxWorld` (state set by its reset)."""

    webhook: Json
    allowed_updates: frozenset[str]
    updates: deque[tuple[int, Json]]
    poll_count: int
    _update_ids: itertools.count[int]
    _update_waiters: list[asyncio.Future[None]]
    _poll_waiters: list[asyncio.Future[None]]
    _poll_generation: int

    # ------------------------------------------------------------------ updates
    def push_update(self, kind: str, payload: Json) -> int | None:
        """Queue an update for the bot (unless its ``allowed_updates`` exclude the kind)."""
        if kind not in self.allowed_updates:
            return None
        update_id = next(self._update_ids)
        self.updates.append((update_id, {"update_id": update_id, kind: payload}))
        if self._update_waiters:
            wake(self._update_waiters)
        return update_id

    def confirm_updates(self, offset: int) -> None:
        """Forget updates the bot confirmed (Telegram's ``offset`` semantics)."""
        updates = self.updates
        if offset < 0:
            keep = -offset
            while len(updates) > keep:
                updates.popleft()
            return
        while updates and updates[0][0] < offset:
            updates.popleft()

    async def get_updates(
        self, offset: int | None, limit: int, wait: float, allowed: list[str] | None
    ) -> list[Json]:
        """Long-poll for updates, like Telegram: answer at once if any, else wait."""
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if allowed is not None:
            self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED
        self._poll_generation += 1
        generation = self._poll_generation
        wake(self._update_waiters)  # an older poll still waiting ends with a conflict
        self.poll_count += 1
        wake(self._poll_waiters)
        if offset is not None:
            self.confirm_updates(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self.updates:
                return [update for _, update in itertools.islice(self.updates, limit)]
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                return []
            waiter: asyncio.Future[None] = loop.create_future()
            self._update_waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                return []

    async def wait_for_poll(self, after: int, wait: float) -> int:
        """Wait until the bot has made more than ``after`` getUpdates calls; return the count."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while self.poll_count <= after:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"the bot did not poll within {wait} s")
            waiter: asyncio.Future[None] = loop.create_future()
            self._poll_waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                continue
        return self.poll_count
