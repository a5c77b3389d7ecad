"""The send budget: replies before bulk, a chat's own limit, a 429's hold."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.pacing import GLOBAL_HOLD_MAX, SendBudget
from bot.rate_limiter import SharedRateLimiter


async def grant_order(budget: SendBudget, calls: list[tuple[str, int, bool]]) -> list[str]:
    order: list[str] = []

    async def one(name: str, chat: int, reply: bool) -> None:
        await budget.acquire(chat, reply=reply)
        order.append(name)

    tasks = []
    for name, chat, reply in calls:
        tasks.append(asyncio.create_task(one(name, chat, reply)))
        await asyncio.sleep(0)  # queued in this order
    await asyncio.gather(*tasks)
    await budget.close()
    return order


async def test_waiting_replies_go_before_waiting_bulk() -> None:
    budget = SendBudget(rate=200, chat_rate=0, burst=1)
    calls = [(f"bulk{i}", 100 + i, False) for i in range(6)]
    calls += [(f"reply{i}", 200 + i, True) for i in range(4)]
    order = await grant_order(budget, calls)
    # The first bulk call took the one free slot; every reply then goes before the other bulk.
    assert order[0] == "bulk0"
    assert order[1:5] == ["reply0", "reply1", "reply2", "reply3"]
    assert order[5:] == [f"bulk{i}" for i in range(1, 6)]


async def test_a_chat_over_its_limit_does_not_hold_up_others() -> None:
    budget = SendBudget(rate=200, chat_rate=2, chat_burst=1, burst=10)
    # Chat 1 gets two replies in a row (its second must wait half a second); chat 2's reply
    # queued after it goes first.
    order = await grant_order(budget, [("a1", 1, True), ("a2", 1, True), ("b", 2, True)])
    assert order == ["a1", "b", "a2"]


async def test_a_429_holds_its_chat_and_the_others_go_on() -> None:
    budget = SendBudget(rate=0, chat_rate=0)
    # Everyone pauses for at most GLOBAL_HOLD_MAX (the 429 may be the overall limit); the
    # chat that got it waits its whole retry_after.
    budget.hold(1, GLOBAL_HOLD_MAX + 0.5)
    order = await grant_order(budget, [("held", 1, True), ("other", 2, True)])
    assert order == ["other", "held"]


async def test_replies_are_retried_after_429s_until_they_go() -> None:
    limiter = SharedRateLimiter(SendBudget(rate=0, chat_rate=0), give_up=60)
    calls: list[int] = []

    async def send(**kwargs: object) -> dict[str, int]:
        calls.append(1)
        if len(calls) <= 4:  # more than PTB's AIORateLimiter(max_retries=3) would survive
            raise RetryAfter(0)
        return {"message_id": 7}

    result = await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert result == {"message_id": 7}
    assert len(calls) == 5


async def test_a_reply_that_cannot_go_is_logged_not_lost_silently(caplog: Any) -> None:
    limiter = SharedRateLimiter(SendBudget(rate=0, chat_rate=0), give_up=0.5)

    async def send(**kwargs: object) -> bool:
        raise RetryAfter(5)

    with pytest.raises(RetryAfter):
        await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert "sendMessage not sent" in caplog.text
