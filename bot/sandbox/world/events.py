"""The world's event log: every message, edit, press and answer, in order, with waiting."""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable
from typing import Any

from bot.sandbox.world.records import ChatRecord, Json


def wake(waiters: list[asyncio.Future[None]]) -> None:
    for waiter in waiters:
        if not waiter.done():
            waiter.set_result(None)
    waiters.clear()


class EventLog:
    """Events of a :class:`SandboxWorld`, globally and per chat (state set by its reset)."""

    chats: dict[int, ChatRecord]
    closing: bool
    max_events: int
    events: list[Json]
    _seq: int
    _events_base: int
    _event_waiters: list[asyncio.Future[None]]
    _chat_waiters: dict[int, list[asyncio.Future[None]]]

    # ------------------------------------------------------------------ events
    def _record_event(
        self,
        chat_id: int,
        kind: str,
        actor: str,
        message_id: int | None = None,
        message: Json | None = None,
        extra: Json | None = None,
    ) -> Json:
        self._seq += 1
        event: Json = {"seq": self._seq, "chat_id": chat_id, "kind": kind, "actor": actor}
        if message_id is not None:
            event["message_id"] = message_id
        if message is not None:
            event["message"] = message
        if extra:
            event.update(extra)
        self.events.append(event)
        if len(self.events) > self.max_events:
            drop = len(self.events) - self.max_events // 2
            del self.events[:drop]
            self._events_base += drop
        chat = self.chats.get(chat_id)
        if chat is not None:
            chat.events.append(event)
            chat.event_seqs.append(self._seq)
        if self._event_waiters:
            wake(self._event_waiters)
        waiters = self._chat_waiters.get(chat_id)
        if waiters:
            wake(waiters)
        return event

    def log_event(self, chat_id: int, kind: str, actor: str = "bot", **extra: Any) -> Json:
        """Record a non-message event (chat action, callback answer) in a chat."""
        return self._record_event(chat_id, kind, actor, extra=extra)

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest event."""
        return self._seq

    def events_after(self, after: int, chat_id: int | None = None, limit: int = 1000) -> list[Json]:
        """Events with ``seq > after``, for one chat or all."""
        if chat_id is None:
            start = max(0, after - self._events_base)  # seq n is at index n - 1 - base
            return self.events[start : start + limit]
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        start = bisect.bisect_right(chat.event_seqs, after)
        return chat.events[start : start + limit]

    async def wait_events(
        self, after: int, chat_id: int | None = None, wait: float = 0.0, limit: int = 1000
    ) -> list[Json]:
        """Events after ``after``; if none yet, wait up to ``wait`` seconds for some."""
        events = self.events_after(after, chat_id, limit)
        if events or wait <= 0:
            return events
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while not events and not self.closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            waiter: asyncio.Future[None] = loop.create_future()
            if chat_id is None:
                self._event_waiters.append(waiter)
            else:
                self._chat_waiters.setdefault(chat_id, []).append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                break
            events = self.events_after(after, chat_id, limit)
        return events

    async def wait_bot_message(
        self,
        chat_id: int,
        after: int,
        wait: float,
        predicate: Callable[[Json], bool] | None = None,
        kinds: tuple[str, ...] = ("message", "edit"),
    ) -> Json | None:
        """The first bot message or edit event in the chat after ``after`` that matches."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        cursor = after
        while True:
            for event in self.events_after(cursor, chat_id):
                cursor = event["seq"]
                if (
                    event["actor"] == "bot"
                    and event["kind"] in kinds
                    and (predicate is None or predicate(event))
                ):
                    return event
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                return None
            await self.wait_events(cursor, chat_id, remaining)
