"""Reminders for a session many people starred, with the sandbox clock stepped through the
minutes before it: at the configured rate every reminder arrives before its person's lead time,
and those who chose 5 minutes are not reminded with the 10-minute crowd."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.sandbox.harness import SandboxServer, sandbox_settings, start_bot, stop_bot
from bot.services import reminders
from tests.e2e.test_reminders import reminders_of

RATE = 2.0  # reminders per second the bot may send (the plan counts on it)
CROWD = 40  # per lead time
STEP = timedelta(seconds=2)


async def test_crowd_reminded_in_time_at_the_rate(
    sandbox: SandboxServer, tmp_path: Path, make_user: Any
) -> None:
    # OUTBOX_RATE=0: the sender itself would go as fast as the sandbox takes; the clock is frozen
    # and stepped, and what arrives per step shows the pace the bot would need.
    settings = sandbox_settings(
        sandbox, tmp_path / "bot.db", outbox_rate=0, reminder_rate=RATE, delivery_tick_seconds=1
    )
    clock = Clock()
    app = await start_bot(sandbox, settings, clock)
    services = app.bot_data["services"]
    talk = next(s for s in services.content.sessions if s.kind not in reminders.SKIP_KINDS)
    start = talk.starts_utc
    clock.set(start - timedelta(minutes=12), frozen=True)
    try:
        lead_of: dict[int, int] = {}
        people = [make_user(lang="en") for _ in range(2 * CROWD)]
        for index, person in enumerate(people):
            await services.repos.users.upsert_seen(
                person.id, first_name="T", last_name=None, username=None,
                language_code=person.language_code, now=services.clock.now(),
            )  # fmt: skip
            await services.repos.stars.star(person.id, talk.id, services.clock.now())
            lead_of[person.id] = 10 if index < CROWD else 5
        async with services.db.transaction() as conn:
            await conn.executemany(
                "UPDATE users SET reminder_minutes = ? WHERE id = ?",
                [(minutes, uid) for uid, minutes in lead_of.items()],
            )

        arrived_at: dict[int, Any] = {}
        per_step: list[int] = []
        while clock.now() < start - timedelta(minutes=4):
            clock.advance(STEP)
            await reminders.check(services)
            await services.outbox.drained()
            fresh = [p for p in people if p.id not in arrived_at and reminders_of(p)]
            for person in fresh:
                arrived_at[person.id] = clock.now()
            per_step.append(len(fresh))

        assert all(len(reminders_of(p)) == 1 for p in people)
        # Never more at once than the rate allows: what the plan asks of the outbox is feasible.
        assert max(per_step) <= RATE * STEP.total_seconds() + 1, per_step
        for person in people:
            lead = timedelta(minutes=lead_of[person.id])
            assert arrived_at[person.id] <= start - lead, (lead, start - arrived_at[person.id])
            said = int(re.search(r"In (\d+) minutes", reminders_of(person)[0]).group(1))
            assert said >= lead_of[person.id]
        # The 5-minute people are reminded close to 5 minutes before (their crowd needs
        # CROWD / RATE s plus the margin), not with the 10-minute crowd.
        early_limit = CROWD / RATE + reminders.MARGIN.total_seconds() + STEP.total_seconds()
        for person in people[CROWD:]:
            early = (start - arrived_at[person.id]) - timedelta(minutes=5)
            assert early.total_seconds() <= early_limit, early
    finally:
        await stop_bot(sandbox, app)
