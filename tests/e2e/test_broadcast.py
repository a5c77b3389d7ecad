"""Organizer broadcasts through the sandbox: segments, languages, schedule, pause, faults."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.sandbox.harness import SandboxServer, SandboxUser, sandbox_settings
from bot.sandbox.world import Fault
from tests.e2e.conftest import delivered

TEXTS = {
    "kk": "Сәлем, қатысушылар!",
    "ru": "Здравствуйте, участники!",
    "en": "Hello, participants!",
}


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """Fast delivery checks; the sandbox has no flood limits unless a test turns them on."""
    return sandbox_settings(sandbox, tmp_path / "bot.db", delivery_tick_seconds=0.2)


async def known(app: Any, user: SandboxUser, lang: str, group: str | None = None) -> None:
    """Make the bot know a user as if they had onboarded."""
    repos = app.bot_data["services"].repos
    clock = app.bot_data["services"].clock
    await repos.users.upsert_seen(
        user.id, first_name="T", last_name=None, username=None,
        language_code=user.language_code, now=clock.now(),
    )  # fmt: skip
    await repos.users.set_language(user.id, lang)
    await repos.users.set_stakeholder(user.id, group)


async def compose(org: SandboxUser, audience: list[str], texts: dict[str, str] | str) -> None:
    """Run the /broadcast dialog up to the preview's summary."""
    await org.command("/broadcast")
    await org.expect("Who should get it?")
    for label in audience:
        await org.press(label)
        await org.expect("")
    if isinstance(texts, str):
        await org.press("One text for all")
        await org.expect("Send the text")
        await org.send(texts)
    else:
        await org.press("A text per language")
        for lang in ("kk", "ru", "en"):
            await org.expect("Send the text for readers")
            await org.send(texts[lang])
    await org.expect("Add a button")
    await org.press("No button")
    await org.expect(lambda m: "📤 Send now" in m.buttons)


def received(user: SandboxUser, text: str) -> int:
    return sum(1 for m in user.messages if m.text == text)


async def wait_until(predicate: Any, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def test_segment_in_three_languages(bot_app: Any, make_user: Any) -> None:
    org = make_user(organizer=True)
    members = {lang: make_user(lang=lang) for lang in ("kk", "ru", "en")}
    outsider = make_user(lang="ru")
    for lang, user in members.items():
        await known(bot_app, user, lang, "ngo")
    await known(bot_app, outsider, "ru", "media")
    await compose(org, ["🏛 By group", "NGO / civil society"], TEXTS)
    previews = [m.text for m in org.messages]
    assert all(TEXTS[lang] in previews for lang in TEXTS)  # each language previewed
    await org.press("📤 Send now")
    for lang, user in members.items():
        message = await user.expect(TEXTS[lang])
        assert message.text == TEXTS[lang]
    report = await org.expect("finished.\nSent:")
    assert "Sent: 3" in report.text
    assert all(received(u, TEXTS[lang]) == 1 for lang, u in members.items())
    assert not [m for m in outsider.messages if m.text in TEXTS.values()]


async def test_non_organizer_is_refused(bot_app: Any, make_user: Any) -> None:
    user = make_user(lang="en")
    await user.command("/broadcast")
    await user.expect("only for the forum's organizers")
    await user.command("/broadcasts")
    await user.expect("only for the forum's organizers")
    await user.command("/start")
    menu = await user.expect("")
    await user.press_data(menu, "bc:resume:1")
    answer = await user.expect_answer()
    assert "only for the forum's organizers" in answer.get("text", str(answer))


async def test_scheduled_fires_at_its_time_and_cancel(
    bot_app: Any, make_user: Any, clock: Clock
) -> None:
    tz = bot_app.bot_data["services"].content.forum.tz
    clock.set(datetime(2018, 11, 14, 8, 0, tzinfo=tz), frozen=True)
    org = make_user(organizer=True)
    reader = make_user(lang="en")
    await known(bot_app, reader, "en")
    await compose(org, ["👥 Everyone"], "Doors open at nine")
    await org.press("🕒 Schedule")
    await org.expect("When should it go?")
    await org.send("09:00")
    await org.expect("is scheduled for")
    await compose(org, ["👥 Everyone"], "This one is cancelled")
    await org.press("🕒 Schedule")
    await org.expect("When should it go?")
    await org.send("14.11 09:00")
    await org.expect("is scheduled for")
    await org.command("/broadcasts")
    listing = await org.expect("Broadcasts")
    cancel = [b for b in listing.buttons if b.startswith("✖️") and b.endswith("#2")]
    await org.press(cancel[0])
    await org.expect("is cancelled")
    await delivered(bot_app)
    assert received(reader, "Doors open at nine") == 0  # not yet: the clock stands at 08:00
    clock.advance(timedelta(hours=1))
    await reader.expect("Doors open at nine")
    await org.expect("finished")
    assert received(reader, "Doors open at nine") == 1
    assert received(reader, "This one is cancelled") == 0


async def test_pause_and_resume(sandbox: SandboxServer, bot_app: Any, make_user: Any) -> None:
    org = make_user(organizer=True)
    readers = [make_user(lang="en") for _ in range(100)]  # 4 s at 25/s
    for user in readers:
        await known(bot_app, user, "en")
    await compose(org, ["👥 Everyone"], "Long broadcast")
    await org.press("📤 Send now")
    status = await org.expect("📣 Broadcast")
    await org.press("⏸ Pause", message=status)
    await org.expect_answer()
    await delivered(bot_app)  # the sends in flight are done; a paused broadcast has none due
    got = sum(received(u, "Long broadcast") for u in readers)
    await delivered(bot_app)
    assert sum(received(u, "Long broadcast") for u in readers) == got < 100
    await org.press("▶️ Resume")
    await org.expect("finished", timeout=20)
    assert all(received(u, "Long broadcast") == 1 for u in readers)


async def test_blocked_429_and_500_survived(
    sandbox: SandboxServer, bot_app: Any, make_user: Any
) -> None:
    org = make_user(organizer=True)
    readers = [make_user(lang="en") for _ in range(8)]
    for user in readers:
        await known(bot_app, user, "en")
    readers[0].block()
    readers[1].block()
    await compose(org, ["👥 Everyone"], "Faults ahead")
    world = sandbox.world
    world.add_fault(Fault(method="sendMessage", count=1, status=429, retry_after=1))
    world.add_fault(Fault(method="sendMessage", count=2, status=500))
    await org.press("📤 Send now")
    report = await org.expect("finished.\nSent:", timeout=20)
    assert "Blocked the bot: 2" in report.text
    assert "Sent: 7" in report.text
    csv = await org.expect(lambda m: m.document is not None)
    assert str(readers[0].id) in org.download(csv).decode("utf-8-sig")
    assert all(received(u, "Faults ahead") == 1 for u in readers[2:])
    users = bot_app.bot_data["services"].repos.users
    assert (await users.get(readers[0].id)).blocked
    assert not (await users.get(readers[2].id)).blocked


async def test_an_unreachable_organizer_does_not_hold_up_the_other_broadcasts(
    bot_app: Any, make_user: Any
) -> None:
    """One organizer blocked the bot while their broadcast ran: it is still finished (reported
    once, not retried every round) and the next organizer's broadcast gets its report."""
    from bot.delivery import BotStatusChat
    from bot.services.broadcasts import ProgressMonitor

    services = bot_app.bot_data["services"]
    repo = services.repos.broadcasts
    gone, present = make_user("en", organizer=True), make_user("en", organizer=True)
    for person in (gone, present):
        await person.command("/start")
        await person.expect("")
    ids = []
    for person in (gone, present):  # the blocked organizer's broadcast comes first
        b = await repo.create(person.id, services.clock.now())
        await repo.update(b.id, state="sending", texts={"*": "Hello"})
        ids.append(b.id)
    gone.block()
    monitor = ProgressMonitor(services, BotStatusChat(bot_app.bot))
    await monitor.update_all()
    for broadcast_id in ids:
        finished = await repo.get(broadcast_id)
        assert finished is not None and finished.state == "done" and finished.reported
    await present.expect(f"#{ids[1]}")
