"""Replies and bulk share Telegram's budget: under the sandbox's flood limits, with 429s injected,
every reply arrives exactly once, and a running broadcast yields to people who are waiting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.sandbox.harness import SandboxServer, sandbox_settings, start_bot, stop_bot
from bot.sandbox.world import Fault
from bot.services.outbox import OutgoingMessage, enqueue

HELP = "Here is what I can do"
BULK = "Forum news"
ASKING, BULK_USERS, INJECTED = 60, 150, 5


async def test_every_reply_once_and_bulk_yields(
    sandbox: SandboxServer, tmp_path: Path, make_user: Any
) -> None:
    world = sandbox.world
    world.configure_flood(enabled=True, global_rate=30, global_burst=30, chat_rate=1, chat_burst=3)
    app = await start_bot(
        sandbox,
        sandbox_settings(
            sandbox, tmp_path / "bot.db", outbox_rate=25, send_rate=30, send_chat_rate=1
        ),
    )
    services = app.bot_data["services"]
    try:
        readers = [make_user(timeout=40) for _ in range(BULK_USERS)]
        for reader in readers:
            await services.repos.users.upsert_seen(
                reader.id, first_name="R", last_name=None, username=None,
                language_code="en", now=services.clock.now(),
            )  # fmt: skip
        await enqueue(
            services,
            [OutgoingMessage(r.id, BULK, f"news:{r.id}", "broadcast") for r in readers],
        )
        await readers[0].expect(BULK)  # the broadcast is running

        askers = [make_user(timeout=40) for _ in range(ASKING)]
        burst_seq = world.last_seq
        # The next sendMessage calls (replies, since bulk yields) are answered 429.
        world.add_fault(Fault("sendmessage", count=INJECTED, status=429, retry_after=1))
        for asker in askers:
            world.send_command(asker.id, "/help")
        for asker in askers:
            await asker.expect(HELP)
        for reader in readers[1:]:  # the broadcast finishes too: nothing was starved for good
            await reader.expect(BULK)

        said = {a.id: [m.text for m in a.messages] for a in askers}
        assert all(sum(HELP in t for t in texts) == 1 for texts in said.values()), said
        assert not world.faults, "the injected 429s were not all met"
        # While people waited, the broadcast yielded: between the burst and the last reply
        # hardly any bulk message went out (only ones already on their way).
        reply_chats = {a.id for a in askers}
        bulk_chats = {r.id for r in readers}
        events = [
            e
            for e in world.events_after(burst_seq, limit=10_000)
            if e["actor"] == "bot" and e["kind"] == "message"
        ]
        last_reply = max(e["seq"] for e in events if e["chat_id"] in reply_chats)
        bulk_meanwhile = sum(
            1 for e in events if e["chat_id"] in bulk_chats and e["seq"] < last_reply
        )
        assert bulk_meanwhile <= 5, f"{bulk_meanwhile} bulk messages went before the last reply"
    finally:
        await stop_bot(sandbox, app)
