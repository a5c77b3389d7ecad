"""A plenary that thousands starred: do their reminders arrive before each person's lead time?

In-process, on a real database: ``starrers`` people starred the sample forum's plenary, with
lead times spread as people choose them (50 % 10 min, 30 % 5, 15 % 15, 5 % 30). The bot's clock
is frozen 45 minutes before the start and stepped one second at a time. The real reminder check
(``bot.services.reminders.check``) runs every DELIVERY_TICK_SECONDS of forum time, as the
JobQueue does; the outbox is drained exactly as the sender would at OUTBOX_RATE (the real
queue: ``due`` in priority order, ``claim``, ``apply``), only without HTTP: each row counts as
delivered at the forum second it was sent. So the figure is the schedule itself, independent of
this machine's speed.

Figures: share of reminders delivered at or before their person's lead time (goal 1.0), and how
early the earliest and the latest of them came against the wish (seconds before start - lead).
The floor: a crowd of N at one lead time needs N / OUTBOX_RATE seconds, so its first reminder
cannot be later than that before the wish.

Run: ``python -m benchmarks.bench_reminders [--quick]``.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench_updates import run_alone
from bot.clock import Clock
from storage.outbox import Result

OUTBOX_RATE = 25.0
TICK = 5.0
SHARES = ((10, 0.50), (5, 0.30), (15, 0.15), (30, 0.05))


async def simulate(starrers: int) -> dict[str, float]:
    """Run the forum's last 45 minutes before the plenary; the figures."""
    from bot.app import build_services
    from bot.services import reminders
    from bot.settings import Settings

    with tempfile.TemporaryDirectory(prefix="forum-reminders-") as tmp:
        settings = Settings(
            _env_file=None,
            bot_token="1:bench",
            database_path=Path(tmp) / "bench.db",
            outbox_rate=OUTBOX_RATE,
            delivery_tick_seconds=TICK,
        )
        clock = Clock()
        services = build_services(settings, clock)
        await services.db.open()
        try:
            talks = [s for s in services.content.sessions if s.kind == "plenary"]
            plenary = talks[0] if talks else services.content.sessions[0]
            start = plenary.starts_utc
            lead_of: dict[int, int] = {}
            first = 600_000_001
            uid = first
            for minutes, share in SHARES:
                for _ in range(round(starrers * share)):
                    lead_of[uid] = minutes
                    uid += 1
            async with services.db.transaction() as conn:
                await conn.executemany(
                    "INSERT INTO users (id, first_name, language, first_seen, last_seen,"
                    " reminder_minutes) VALUES (?, 'U', 'ru', 'x', 'x', ?)",
                    list(lead_of.items()),
                )
                await conn.executemany(
                    "INSERT INTO stars (user_id, session_id, starred_at) VALUES (?, ?, 'x')",
                    [(u, plenary.id) for u in lead_of],
                )
            outbox = services.repos.outbox
            clock.set(start - timedelta(minutes=45), frozen=True)
            delivered: dict[int, Any] = {}
            second = 0
            while clock.now() < start:
                now = clock.now()
                if second % int(TICK) == 0:
                    await reminders.check(services)
                rows = await outbox.due(now, int(OUTBOX_RATE))
                if rows:
                    await outbox.claim([r.id for r in rows], now)
                    await outbox.apply(
                        [Result(r.id, r.user_id, "sent", telegram_message_id=1) for r in rows], now
                    )
                    for row in rows:
                        if row.kind == "reminder":
                            delivered.setdefault(row.user_id, now)
                clock.advance(timedelta(seconds=1))
                second += 1
        finally:
            await services.db.close()
    early = [
        ((start - timedelta(minutes=lead_of[u])) - delivered[u]).total_seconds() for u in delivered
    ]
    crowd = max(round(starrers * share) for _, share in SHARES)
    return {
        "starrers": float(starrers),
        "share delivered by the lead time": sum(e >= 0 for e in early) / len(lead_of),
        "earliest, before the wish": max(early, default=float("nan")),
        "latest, before the wish": min(early, default=float("nan")),
        "floor: largest crowd / OUTBOX_RATE": crowd / OUTBOX_RATE,
    }


async def run(quick: bool = False) -> dict[str, Any]:
    """``{"figures": {...}}`` for benchmarks/__main__."""
    starrers = 1000 if quick else 5000
    result = await simulate(starrers)
    label = f"reminders, {starrers:,} starrers of one plenary"
    units = {
        "share delivered by the lead time": "ratio",
        "earliest, before the wish": "s",
        "latest, before the wish": "s",
        "floor: largest crowd / OUTBOX_RATE": "s",
    }
    return {
        "figures": {
            f"{label}: {k}": {"runs": [v], "median": v, "unit": units[k]}
            for k, v in result.items()
            if k in units
        }
    }


if __name__ == "__main__":
    run_alone(run, __doc__)
