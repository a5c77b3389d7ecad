"""PTB's rate limiter for replies: every counted call takes a slot of the shared send budget.

Replies (messages, edits, documents the handlers send through ``context.bot``) are paced by
:class:`bot.pacing.SendBudget` together with the outbox sender, ahead of it. Calls Telegram does
not count against the flood limits (``answerCallbackQuery``, ``setMyCommands``, ``getMe``...) are
not paced. A 429 is honoured (its chat waits ``retry_after``) and the call is made again, as many
times as it takes within ``give_up`` seconds; a reply that cannot go out by then is logged with
the reason and the error is raised to the handler (the error handler sees it), never dropped
silently. PTB's ``AIORateLimiter`` retried three times at most, which lost replies under load.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.pacing import SendBudget

log = logging.getLogger(__name__)

# The Bot API methods that count towards Telegram's flood limits (as the sandbox enforces them).
PACED_METHODS = frozenset(
    {
        "sendmessage", "senddocument", "sendphoto", "sendmediagroup", "copymessage",
        "forwardmessage", "editmessagetext", "editmessagecaption", "editmessagereplymarkup",
        "sendvideo", "sendaudio", "sendvoice", "sendanimation", "sendsticker", "sendlocation",
        "sendcontact", "sendpoll", "senddice", "sendvenue", "sendvideonote",
    }
)  # fmt: skip


def _chat(data: dict[str, Any]) -> int | None:
    value = data.get("chat_id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


class SharedRateLimiter(BaseRateLimiter[None]):
    """Replies first, within the budget shared with bulk; 429s retried until ``give_up``."""

    def __init__(self, budget: SendBudget, *, give_up: float = 60.0) -> None:
        self.budget = budget
        self.give_up = give_up
        self.retried = 0
        self.given_up = 0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Release anyone still queued."""
        await self.budget.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Take a slot (counted methods only), call, and retry 429s until ``give_up``."""
        paced = endpoint.lower() in PACED_METHODS
        chat = _chat(data)
        monotonic = self.budget.monotonic
        deadline = monotonic() + self.give_up
        while True:
            # The usual case, a free slot, costs no task: wait_for only when there is a queue.
            if paced and not self.budget.try_acquire(chat, reply=True):
                try:
                    await asyncio.wait_for(
                        self.budget.acquire(chat, reply=True), max(0.0, deadline - monotonic())
                    )
                except TimeoutError:
                    self.given_up += 1
                    log.warning(
                        "%s not sent: no send slot within %.0f s (%d replies queued)",
                        endpoint, self.give_up, self.budget.replies_waiting,
                    )  # fmt: skip
                    raise TimedOut(
                        f"{endpoint}: no send slot within {self.give_up:.0f} s"
                    ) from None
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = exc._retry_after.total_seconds()  # the float, not the int view
                self.budget.hold(chat, wait)
                if monotonic() + wait > deadline:
                    self.given_up += 1
                    log.warning(
                        "%s not sent: Telegram still asks to wait %.0f s after %.0f s of trying",
                        endpoint, wait, self.give_up,
                    )  # fmt: skip
                    raise
                self.retried += 1
                log.info("%s: 429, retrying in %.1f s", endpoint, wait)
                if not paced:  # a paced call waits in acquire(), which honours the hold
                    await asyncio.sleep(wait)
