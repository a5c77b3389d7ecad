"""Session reminders through the sandbox with a frozen clock, one scenario per test: each
person's lead time, reminders off, an un-starred session, a restart (nothing twice), and
reminders that came due while the bot was down (before and after the session's start).

"Nothing arrived" is asserted only after an observable end: a delivery check ran at the
frozen moment and the sender drained the outbox, so a slow machine cannot make it pass.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import delivery
from bot.clock import Clock
from bot.content import Session
from bot.sandbox.harness import SandboxServer, SandboxUser, sandbox_settings, start_bot, stop_bot


class Forum:
    """The bot on a frozen clock 20 minutes before the first talk, and helpers around it."""

    def __init__(self, sandbox: SandboxServer, settings: Any, clock: Clock, app: Any) -> None:
        self.sandbox, self.settings, self.clock, self.app = sandbox, settings, clock, app
        talks = [
            s for s in self.services.content.sessions if s.kind not in ("break", "registration")
        ]
        self.first, self.later, self.last = talks[0], talks[len(talks) // 2], talks[-1]
        assert self.first.starts_utc + timedelta(hours=1) < self.later.starts_utc

    @property
    def services(self) -> Any:
        return self.app.bot_data["services"]

    async def known(self, user: SandboxUser, *sessions: Session) -> None:
        """The person has used the bot and starred ``sessions``."""
        services = self.services
        await services.repos.users.upsert_seen(
            user.id, first_name="T", last_name=None, username=None,
            language_code=user.language_code, now=services.clock.now(),
        )  # fmt: skip
        for session in sessions:
            await services.repos.stars.star(user.id, session.id, services.clock.now())

    async def delivered(self) -> None:
        """A delivery check at the clock's moment has run and everything due has been sent."""
        await delivery.check_now(self.app.bot, self.services)
        await self.services.outbox.drained()

    async def restart(self, at: Any = None) -> None:
        """Stop the bot, optionally move the frozen clock, start it again."""
        await stop_bot(self.sandbox, self.app)
        if at is not None:
            self.clock.set(at, frozen=True)
        self.app = await start_bot(self.sandbox, self.settings, self.clock)


@pytest.fixture
async def forum(sandbox: SandboxServer, tmp_path: Path) -> AsyncIterator[Forum]:
    settings = sandbox_settings(sandbox, tmp_path / "bot.db", delivery_tick_seconds=0.2)
    clock = Clock()
    app = await start_bot(sandbox, settings, clock)
    started = Forum(sandbox, settings, clock, app)
    clock.set(started.first.starts_utc - timedelta(minutes=20), frozen=True)
    try:
        yield started
    finally:
        await stop_bot(sandbox, started.app)


def reminders_of(user: SandboxUser) -> list[str]:
    return [m.text for m in user.messages if m.text.startswith("⏰") and "\n\n" not in m.text]


async def test_each_person_is_reminded_at_their_own_lead_time(forum: Forum, make_user: Any) -> None:
    ru, kk = make_user(lang="ru"), make_user(lang="kk")
    await forum.known(ru, forum.first)
    await forum.known(kk, forum.first)
    await kk.command("/reminders")
    await kk.expect("10")
    await kk.press("5 минут")
    await kk.expect("5 минут")

    forum.clock.advance(timedelta(minutes=10))  # 10 minutes before: ru's default
    reminder = await ru.expect("⏰")
    assert "Через 10 минут" in reminder.text
    assert forum.first.room.get("ru") in reminder.text
    await forum.delivered()
    assert reminders_of(kk) == []

    forum.clock.advance(timedelta(minutes=5))  # 5 minutes before: kk's choice
    reminder = await kk.expect("⏰")
    assert "5 минуттан кейін" in reminder.text
    assert forum.first.title.get("kk") in reminder.text


async def test_no_reminder_when_off_or_unstarred(forum: Forum, make_user: Any) -> None:
    quiet, fickle, keen = (make_user(lang="en") for _ in range(3))
    for user in (quiet, fickle, keen):
        await forum.known(user, forum.first)
    await quiet.command("/reminders")
    await quiet.expect("10 minutes")
    await quiet.press("Off")
    await quiet.expect("Reminders are off")
    await forum.services.repos.stars.unstar(fickle.id, forum.first.id)

    forum.clock.advance(timedelta(minutes=10))
    await keen.expect("⏰")
    await forum.delivered()
    assert reminders_of(quiet) == []
    assert reminders_of(fickle) == []


async def test_a_restart_sends_nothing_twice(forum: Forum, make_user: Any) -> None:
    user = make_user(lang="ru")
    await forum.known(user, forum.first)
    forum.clock.advance(timedelta(minutes=10))
    await user.expect("⏰")
    await forum.restart()
    await forum.delivered()
    assert len(reminders_of(user)) == 1


async def test_due_while_down_before_the_start_is_sent_late(forum: Forum, make_user: Any) -> None:
    user = make_user(lang="ru")
    await forum.known(user, forum.later)
    await forum.restart(at=forum.later.starts_utc - timedelta(minutes=3))
    reminder = await user.expect(forum.later.title.get("ru"))
    assert "Через 3 минуты" in reminder.text


async def test_due_while_down_after_the_start_is_skipped(forum: Forum, make_user: Any) -> None:
    user = make_user(lang="ru")
    await forum.known(user, forum.later, forum.last)
    await forum.restart(at=forum.later.starts_utc - timedelta(minutes=3))
    await user.expect(forum.later.title.get("ru"))
    await forum.restart(at=forum.last.starts_utc + timedelta(minutes=1))
    await forum.delivered()
    assert not [t for t in reminders_of(user) if forum.last.title.get("ru") in t]
    assert len(reminders_of(user)) == 1
    counts = await forum.services.repos.outbox.counts(kind="reminder")
    assert counts.get("skipped") == 1
