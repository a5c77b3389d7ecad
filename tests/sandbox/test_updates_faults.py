"""getUpdates' offset semantics and long polling, flood limits, fault injection."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp

from bot.sandbox import SandboxWorld
from bot.sandbox.world import UserRecord
from tests.sandbox.conftest import Api, FakeTime


async def test_updates_stay_until_a_higher_offset_confirms_them(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    for text in ("one", "two", "three"):
        world.send_text(user.id, text)
    first = await api.ok("getUpdates")
    assert [u["message"]["text"] for u in first] == ["one", "two", "three"]
    # Asking again without confirming returns the same updates.
    assert await api.ok("getUpdates") == first
    # Confirm the first two.
    rest = await api.ok("getUpdates", offset=first[1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["three"]
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["three"]
    assert await api.ok("getUpdates", offset=rest[-1]["update_id"] + 1) == []


async def test_limit_and_negative_offset(api: Api, user: UserRecord, world: SandboxWorld) -> None:
    for i in range(5):
        world.send_text(user.id, f"m{i}")
    assert [u["message"]["text"] for u in await api.ok("getUpdates", limit=2)] == ["m0", "m1"]
    last_two = await api.ok("getUpdates", offset=-2)
    assert [u["message"]["text"] for u in last_two] == ["m3", "m4"]
    assert len(await api.ok("getUpdates")) == 2  # the older ones are forgotten


async def test_an_update_survives_a_bot_that_dies_mid_poll(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    """The bot receives an update, dies before confirming it: the next poll gets it again."""
    world.send_text(user.id, "/start")
    received = await api.ok("getUpdates", timeout=5)
    assert received[0]["message"]["text"] == "/start"
    # A new poll (which would confirm nothing) is cut off mid-wait: the process dies.
    polls = world.poll_count
    dying = asyncio.ensure_future(
        api.call("getUpdates", offset=received[0]["update_id"], timeout=30)
    )
    await world.wait_for_poll(polls, 5)
    dying.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await dying
    # A fresh process with a new connection gets the unconfirmed update.
    async with (
        aiohttp.ClientSession() as fresh,
        fresh.post(f"{api.base}/getUpdates", json={"timeout": 0}) as response,
    ):
        again = (await response.json())["result"]
    assert [u["update_id"] for u in again] == [received[0]["update_id"]]


async def test_long_poll_wakes_up_on_a_new_update(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    polls = world.poll_count
    waiting = asyncio.ensure_future(api.ok("getUpdates", timeout=30))
    await world.wait_for_poll(polls, 5)
    assert not waiting.done()
    world.send_text(user.id, "wake up")
    result = await asyncio.wait_for(waiting, 10)
    assert result[0]["message"]["text"] == "wake up"


async def test_long_poll_times_out_empty(api: Api) -> None:
    assert await api.ok("getUpdates", timeout=0.05) == []


async def test_a_second_poller_ends_the_first_with_409(api: Api, world: SandboxWorld) -> None:
    polls = world.poll_count
    first = asyncio.ensure_future(api.call("getUpdates", timeout=30))
    await world.wait_for_poll(polls, 5)
    second = asyncio.ensure_future(api.call("getUpdates", timeout=0))
    status, body = await asyncio.wait_for(first, 10)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    assert (await second)[0] == 200


async def test_allowed_updates_filters_new_updates(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    await api.ok("getUpdates", allowed_updates=["callback_query"])
    world.send_text(user.id, "ignored")
    assert await api.ok("getUpdates") == []
    await api.ok("getUpdates", allowed_updates=[])  # back to Telegram's default
    world.send_text(user.id, "seen")
    assert (await api.ok("getUpdates"))[0]["message"]["text"] == "seen"


# ------------------------------------------------------------------------ flood limits
async def test_flood_limits_are_off_by_default(api: Api, user: UserRecord) -> None:
    for i in range(40):
        await api.ok("sendMessage", chat_id=user.id, text=str(i))


async def test_per_chat_flood_limit_answers_429_with_retry_after(
    api: Api, user: UserRecord, world: SandboxWorld, fake_time: FakeTime
) -> None:
    status, body = await api.control(
        "POST", "flood", json={"enabled": True, "chat_rate": 1, "chat_burst": 3}
    )
    assert status == 200
    assert body["flood"]["enabled"] is True
    for i in range(3):
        await api.ok("sendMessage", chat_id=user.id, text=f"burst {i}")
    status, body = await api.call("sendMessage", chat_id=user.id, text="too many")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    other = world.add_user("Other")
    await api.ok("sendMessage", chat_id=other.id, text="another chat is fine")
    fake_time.now += 1.0
    await api.ok("sendMessage", chat_id=user.id, text="after waiting")


async def test_global_flood_limit(api: Api, world: SandboxWorld, fake_time: FakeTime) -> None:
    world.configure_flood(enabled=True, global_rate=30, global_burst=30)
    users = [world.add_user(f"U{i}") for i in range(31)]
    for target in users[:30]:
        await api.ok("sendMessage", chat_id=target.id, text="x")
    status, body = await api.call("sendMessage", chat_id=users[30].id, text="x")
    assert status == 429
    assert body["parameters"]["retry_after"] >= 1
    fake_time.now += 0.1  # three messages' worth at 30/s
    await api.ok("sendMessage", chat_id=users[30].id, text="x")


async def test_flood_limit_counts_edits_but_not_chat_actions(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    world.configure_flood(enabled=True, chat_rate=1, chat_burst=1)
    sent = await api.ok("sendMessage", chat_id=user.id, text="a")
    for _ in range(5):
        await api.ok("sendChatAction", chat_id=user.id, action="typing")
    status, _ = await api.call(
        "editMessageText", chat_id=user.id, message_id=sent["message_id"], text="b"
    )
    assert status == 429


# ------------------------------------------------------------------------ faults
async def test_fault_for_one_method_fails_the_next_n_calls(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    status, _ = await api.control(
        "POST", "faults", json={"method": "sendMessage", "count": 2, "status": 500}
    )
    assert status == 200
    assert await api.ok("getMe")  # other methods are untouched
    for _ in range(2):
        assert await api.error("sendMessage", chat_id=user.id, text="x") == (
            500,
            "Internal Server Error",
        )
    assert (await api.ok("sendMessage", chat_id=user.id, text="x"))["text"] == "x"
    assert world.faults == []
    faulted = [c for c in world.calls if "fault" in c]
    assert len(faulted) == 2


async def test_429_fault_has_retry_after(api: Api, user: UserRecord) -> None:
    await api.control(
        "POST", "faults", json={"method": "sendMessage", "status": 429, "retry_after": 7}
    )
    status, body = await api.call("sendMessage", chat_id=user.id, text="x")
    assert status == 429
    assert body["parameters"] == {"retry_after": 7}
    assert body["description"] == "Too Many Requests: retry after 7"


async def test_fault_without_method_spares_get_updates(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    await api.control("POST", "faults", json={"count": 1, "status": 502})
    assert await api.ok("getUpdates") == []
    assert (await api.error("getMe"))[0] == 502
    assert await api.ok("getMe")


async def test_latency_fault_delays_then_succeeds(
    api: Api, user: UserRecord, world: SandboxWorld
) -> None:
    await api.control("POST", "faults", json={"method": "sendMessage", "delay": 0.05})
    assert (await api.ok("sendMessage", chat_id=user.id, text="slow"))["text"] == "slow"
    assert world.calls[-1]["fault"]["delay"] == 0.05


async def test_faults_can_be_listed_and_cleared(api: Api) -> None:
    await api.control("POST", "faults", json={"method": "getMe", "count": 3, "status": 500})
    status, body = await api.control("GET", "faults")
    assert body["faults"][0]["count"] == 3
    status, body = await api.control("DELETE", "faults")
    assert status == 200
    assert body["faults"] == []
    status, body = await api.control("POST", "faults", json={"method": "getMe"})
    assert status == 400  # neither status nor delay
