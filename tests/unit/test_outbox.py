"""The outbox and its sender against a scripted fake Telegram (no network)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.clock import Clock
from bot.services import outbox
from bot.services.outbox import MessageTooLong, OutgoingMessage, split_text, to_rows, utf16_len
from bot.services.sender import Outcome, Sender, TokenBucket, classify
from storage.db import Database
from storage.repos import Repos

NOW = datetime(2018, 11, 14, 4, 0, tzinfo=UTC)


class FakeTelegram:
    """Answers sendMessage from a script: chat id -> list of outcomes (then ok)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.script: dict[int, list[Outcome]] = {}
        self.delivered: list[tuple[int, str]] = []
        self.calls = 0
        self.delay = delay
        self.in_flight: dict[int, int] = {}
        self.max_in_flight_per_chat = 0

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def send_message(self, chat_id, text, reply_markup, parse_mode):
        self.calls += 1
        self.in_flight[chat_id] = self.in_flight.get(chat_id, 0) + 1
        self.max_in_flight_per_chat = max(self.max_in_flight_per_chat, self.in_flight[chat_id])
        try:
            await asyncio.sleep(self.delay)
            planned = self.script.get(chat_id)
            if planned:
                return planned.pop(0)
            self.delivered.append((chat_id, text))
            return Outcome("ok", message_id=len(self.delivered))
        finally:
            self.in_flight[chat_id] -= 1


@pytest.fixture
async def repos(tmp_path: Path):
    db = Database(tmp_path / "t.db")
    await db.open()
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, language, first_seen, last_seen)"
            " VALUES (?, 'U', 'en', 'x', 'x')",
            [(i,) for i in range(1, 201)],
        )
    yield Repos(db)
    await db.close()


def services_for(repos: Repos, clock: Clock) -> SimpleNamespace:
    return SimpleNamespace(repos=repos, clock=clock, outbox=None)


def msg(user: int, key: str, **kw: object) -> OutgoingMessage:
    return OutgoingMessage(user, kw.pop("text", f"hello {user}"), key, "broadcast", **kw)


async def run_sender(repos: Repos, fake: FakeTelegram, clock: Clock, **kw: object) -> Sender:
    sender = Sender(repos.outbox, fake, clock, **{"rate": 0, "chat_rate": 0, **kw})
    await sender.start()
    return sender


def test_split_text_respects_the_limit_and_boundaries() -> None:
    text = ("word " * 300 + "\n\n") * 5
    parts = split_text(text, 1000)
    assert all(utf16_len(p) <= 1000 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    emoji = "😀" * 3000  # 6000 UTF-16 units
    assert all(utf16_len(p) <= 4096 for p in split_text(emoji))
    assert "".join(split_text(emoji)) == emoji


def test_long_plain_text_becomes_parts_with_the_button_last() -> None:
    rows = to_rows([msg(1, "k", text="a " * 3000, reply_markup={"inline_keyboard": []})])
    assert [r.dedup_key for r in rows] == ["k", "k#2"]
    assert rows[0].reply_markup is None
    assert rows[1].reply_markup is not None


def test_long_formatted_text_is_refused() -> None:
    with pytest.raises(MessageTooLong):
        to_rows([msg(1, "k", text="<b>x</b>" * 1000, parse_mode="HTML")])


def test_classify_bot_api_answers() -> None:
    assert classify(200, {"ok": True, "result": {"message_id": 5}}) == Outcome("ok", 5)
    limited = classify(429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 3}})
    assert limited.kind == "retry_after"
    assert limited.retry_after == 3
    forbidden = {"ok": False, "error_code": 403, "description": "blocked"}
    assert classify(403, forbidden).kind == "blocked"
    assert classify(502, None).kind == "transient"
    assert classify(400, {"ok": False, "error_code": 400, "description": "x"}).kind == "bad"


def test_token_bucket_paces() -> None:
    now = [0.0]
    bucket = TokenBucket(10, 2, lambda: now[0])
    assert bucket.delay() == 0
    assert bucket.delay() == 0
    assert bucket.delay() == pytest.approx(0.1)
    now[0] += 0.1
    assert bucket.delay() == 0


async def test_enqueue_ignores_known_dedup_keys(repos: Repos) -> None:
    services = services_for(repos, Clock(NOW, frozen=True))
    assert await outbox.enqueue(services, [msg(1, "a"), msg(2, "b")]) == 2
    assert await outbox.enqueue(services, [msg(1, "a"), msg(3, "c")]) == 1
    assert (await repos.outbox.counts())["pending"] == 3


async def test_every_outcome_is_recorded_once(repos: Repos) -> None:
    clock = Clock(NOW, frozen=True)
    fake = FakeTelegram()
    fake.script = {
        2: [Outcome("retry_after", retry_after=0.2, error="429")],
        3: [Outcome("transient", error="500")],
        4: [Outcome("blocked", error="Forbidden: bot was blocked by the user")],
        5: [Outcome("bad", error="Bad Request: chat not found")],
    }
    await repos.outbox.insert(to_rows([msg(u, f"bc:1:{u}") for u in range(1, 51)]), NOW)
    await repos.outbox.insert(to_rows([msg(4, "later:4")]), NOW)  # also blocked, never tried
    sender = await run_sender(repos, fake, clock)
    try:
        await sender.drained(10)
    finally:
        await sender.stop()
    delivered = [chat for chat, _ in fake.delivered]
    assert sorted(delivered) == sorted(set(range(1, 51)) - {4, 5})  # 2 and 3 after a retry
    counts = await repos.outbox.counts()
    assert counts == {**counts, "sent": 48, "blocked": 2, "failed": 1, "pending": 0}
    assert (await repos.users.get(4)).blocked
    assert sender.stats.rate_limited == 1
    assert sender.stats.retried == 1
    failed = await repos.db.fetchval("SELECT error FROM outbox WHERE user_id = 5")
    assert failed == "Bad Request: chat not found"


async def test_one_chat_never_has_two_messages_in_flight(repos: Repos) -> None:
    clock = Clock(NOW, frozen=True)
    fake = FakeTelegram(delay=0.005)
    await repos.outbox.insert(to_rows([msg(7, f"k{i}") for i in range(10)]), NOW)
    await repos.outbox.insert(to_rows([msg(u, f"o{u}") for u in range(20, 60)]), NOW)
    sender = await run_sender(repos, fake, clock, concurrency=16)
    try:
        await sender.drained(10)
    finally:
        await sender.stop()
    assert fake.max_in_flight_per_chat == 1
    assert [t for c, t in fake.delivered if c == 7] == ["hello 7"] * 10


async def test_in_flight_rows_are_sent_again_after_a_crash(repos: Repos) -> None:
    clock = Clock(NOW, frozen=True)
    await repos.outbox.insert(to_rows([msg(u, f"bc:9:{u}") for u in (1, 2, 3)]), NOW)
    await repos.outbox.claim([1, 2], NOW)  # a process died holding these
    fake = FakeTelegram()
    sender = await run_sender(repos, fake, clock)
    try:
        await sender.drained(10)
    finally:
        await sender.stop()
    assert sender.stats.recovered == 2
    assert sorted(c for c, _ in fake.delivered) == [1, 2, 3]


async def test_not_before_and_expiry(repos: Repos) -> None:
    clock = Clock(NOW, frozen=True)
    later = NOW + timedelta(minutes=5)
    await repos.outbox.insert(
        to_rows(
            [
                msg(1, "future", not_before=later),
                msg(2, "expired", expires_at=NOW - timedelta(seconds=1)),
            ]
        ),
        NOW,
    )
    fake = FakeTelegram()
    sender = await run_sender(repos, fake, clock)
    try:
        await sender.drained(5)
        assert fake.delivered == []
        clock.advance(timedelta(minutes=5))
        sender.wake()
        await sender.drained(5)
    finally:
        await sender.stop()
    assert [c for c, _ in fake.delivered] == [1]
    assert (await repos.outbox.counts())["skipped"] == 1


async def test_overall_rate_is_respected(repos: Repos) -> None:
    clock = Clock(NOW)
    fake = FakeTelegram()
    await repos.outbox.insert(to_rows([msg(u, f"r{u}") for u in range(1, 41)]), NOW)
    sender = await run_sender(repos, fake, clock, rate=100)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        await sender.drained(10)
    finally:
        await sender.stop()
    elapsed = loop.time() - started
    # 40 messages at 100/s with a burst of 20: at least 0.2 s.
    assert len(fake.delivered) == 40
    assert elapsed >= 0.18
