"""Replies and a broadcast at Telegram's limits: a crowd presses a button while bulk is running.

The sandbox enforces Telegram-like flood limits (30 messages/s per bot, 1/s per chat with a
burst of 3) and answers 429 above them. The bot runs as ``python -m bot`` (production
settings: OUTBOX_RATE=25 and, in the new code, the shared send budget) on a database with the
broadcast already queued: one message to each of ``recipients`` people. Once the broadcast is
under way, ``pressers`` other people each press an agenda button of a message in their chat
(the bot answers the button and edits the message: one counted call each), spread evenly over
``spread`` seconds.

Figures: answered / pressed, time from the first press to the last answer against the floor
pressed / 30 s (the sandbox's rate: no bot can answer faster), 429s as a share of counted calls,
p50 / p99 from press to answer, and how far the broadcast fell behind its own pace (seconds of
OUTBOX_RATE it lost while the crowd was served). The same run is made against the code before
the shared send budget (``git archive`` into a temporary directory: the branch point on main, or
on main itself main just before bot/pacing.py was merged): the old reply pacing (PTB's
AIORateLimiter, no pacing in advance, 3 retries) beside the new one.

Run: ``python -m benchmarks.bench_pacing [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bench_updates import (
    PROJECT_ROOT,
    BenchWorld,
    forum_bot,
    prepare_database,
    progress,
)
from bot.sandbox.botapi import Params, send_message
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import FLOOD_METHODS, ApiError

SANDBOX_RATE = 30.0
# Production's defaults for the send budget (bench_updates turns it off for its limitless sandbox).
TELEGRAM_LIMITS = {"SEND_RATE": "30", "SEND_CHAT_RATE": "1"}
OUTBOX_RATE = 25.0


class LimitedWorld(BenchWorld):
    """Counts the calls subject to the flood limits and the 429s given; reports bot messages
    and edits (not button answers) to ``seen``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counted = 0
        self.rejected = 0
        self.seen: Any = None

    def _record_event(self, chat_id: int, kind: str, actor: str, *args: Any, **kwargs: Any) -> Any:
        event = super()._record_event(chat_id, kind, actor, *args, **kwargs)
        if actor == "bot" and kind in ("message", "edit") and self.seen is not None:
            self.seen(chat_id)
        return event

    def check_flood(self, method: str, chat_id: int | None) -> None:
        """Count, then apply the limits."""
        if self.flood.enabled and method in FLOOD_METHODS:
            self.counted += 1
        try:
            super().check_flood(method, chat_id)
        except ApiError as exc:
            if exc.code == 429:
                self.rejected += 1
            raise


@dataclass
class Scenario:
    """How big."""

    pressers: int = 1000
    recipients: int = 3000
    spread: float = 10.0
    head_start: float = 3.0  # the broadcast runs alone this long before the first press
    quiet: float = 20.0  # no new answer for this long after the last press: the rest are lost

    @classmethod
    def quick(cls) -> Scenario:
        """A smoke run."""
        return cls(pressers=150, recipients=400, spread=2.0, head_start=1.0, quiet=10.0)


@dataclass
class Outcome:
    """One variant's figures."""

    pressed: int = 0
    answered: int = 0
    latencies: list[float] = field(default_factory=list)
    last_answer: float = 0.0  # seconds from the first press
    counted: int = 0
    rejected: int = 0
    bulk_at_last_answer: int = 0
    bulk_seconds: float = 0.0  # the broadcast's running time until the last answer

    def figures(self, floor: float) -> dict[str, float]:
        """The named figures of this variant."""
        ordered = sorted(self.latencies) or [float("nan")]
        behind = self.bulk_seconds - self.bulk_at_last_answer / OUTBOX_RATE
        return {
            "answered / pressed": self.answered / self.pressed if self.pressed else 0.0,
            "time to the last answer": self.last_answer,
            "time to the last answer / floor": self.last_answer / floor,
            "429s / counted calls": self.rejected / self.counted if self.counted else 0.0,
            "p50 press to answer": statistics.median(ordered),
            "p99 press to answer": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
            "broadcast behind its pace": max(0.0, behind),
        }


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=PROJECT_ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def baseline() -> str:
    """The code with the old pacing: the branch point on main; on main itself (or a branch
    that has it), main just before the shared send budget (bot/pacing.py) was merged."""
    base = _git("merge-base", "HEAD", "main")
    if _git("ls-tree", "--name-only", base, "bot/pacing.py"):
        added = _git("log", "--first-parent", "--diff-filter=A", "--format=%H", base, "--",
                     "bot/pacing.py").splitlines()  # fmt: skip
        if added:
            base = _git("rev-parse", f"{added[-1]}^1")
    return base


def old_tree(into: Path) -> Path | None:
    """The code with the old pacing (:func:`baseline`), extracted (not checked out) into
    ``into``."""
    try:
        base = baseline()
        archive = subprocess.run(
            ["git", "archive", base], cwd=PROJECT_ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        progress(f"no old code to compare with: {exc}")
        return None
    return into


async def queue_broadcast(database: Path, ids: list[int]) -> None:
    """The broadcast, queued before the bot starts (as a running one would be)."""
    from bot.services.outbox import OutgoingMessage, to_rows
    from storage.db import Database
    from storage.repos import Repos

    db = Database(database)
    await db.open()
    try:
        rows = to_rows(
            [OutgoingMessage(uid, "📣 Forum news", f"bench:{uid}", "broadcast") for uid in ids]
        )
        await Repos(db).outbox.insert(rows, datetime_now())
    finally:
        await db.close()


def datetime_now() -> Any:
    """Now, aware."""
    from datetime import UTC, datetime

    return datetime.now(UTC)


def agenda_button() -> str:
    """Callback data of the first day's agenda (what a broadcast's button might open)."""
    from bot import callbacks
    from bot.content import load_content
    from bot.resources import sample_content_path
    from bot.services.agenda_views import FEATURE, day_code

    content = load_content(sample_content_path())
    first_day = min(s.starts_utc.astimezone(content.forum.tz).date() for s in content.sessions)
    return callbacks.make(FEATURE, "d", day_code(first_day), "-", 0)


async def run_variant(scenario: Scenario, name: str, code: Path) -> Outcome:
    """One bot (new or old code) through the scenario."""
    world = LimitedWorld(max_events=2_000_000, max_calls=1000)
    outcome = Outcome()
    async with SandboxServer(world) as server:
        with tempfile.TemporaryDirectory(prefix="forum-pacing-") as tmp:
            workdir = Path(tmp)
            database = workdir / "bench.db"
            total = scenario.recipients + scenario.pressers
            ids = await prepare_database(database, total)
            recipients, pressers = ids[: scenario.recipients], ids[scenario.recipients :]
            for uid in ids:
                world.add_user("User", user_id=uid, language_code="ru")
            await queue_broadcast(database, recipients)
            data = agenda_button()
            shown: dict[int, int] = {}
            keyboard = json.dumps({"inline_keyboard": [[{"text": "📅", "callback_data": data}]]})
            for uid in pressers:  # the message whose button they press, already in their chat
                sent = send_message(
                    world, Params({"chat_id": uid, "text": "📣", "reply_markup": keyboard}, {})
                )
                shown[uid] = sent["message_id"]
            world.configure_flood(
                enabled=True, global_rate=SANDBOX_RATE, global_burst=SANDBOX_RATE,
                chat_rate=1, chat_burst=3,
            )  # fmt: skip

            presser_set = set(pressers)
            recipient_set = set(recipients)
            pressed_at: dict[int, float] = {}
            answered_at: dict[int, float] = {}
            bulk_times: list[float] = []
            bulk_started = asyncio.Event()

            def observe(chat_id: int) -> None:
                now = time.perf_counter()
                if chat_id in recipient_set:
                    bulk_times.append(now)
                    bulk_started.set()
                elif chat_id in presser_set and chat_id in pressed_at:
                    answered_at.setdefault(chat_id, now)

            # PYTHONPATH chooses the code: this tree, or main's extracted before it.
            bot = forum_bot(server, workdir, database, PYTHONPATH=str(code), **TELEGRAM_LIMITS)
            bot.name = f"bot-{name}"
            progress(f"pacing/{name}: starting the bot ({total:,} users)")
            await bot.start(world)
            world.seen = observe
            try:
                await asyncio.wait_for(bulk_started.wait(), 60)
                bulk_began = bulk_times[0]
                await asyncio.sleep(scenario.head_start)
                progress(f"pacing/{name}: {len(bulk_times)} broadcast messages out; pressing")
                began = time.perf_counter()
                for n, uid in enumerate(pressers):
                    due = began + n * scenario.spread / len(pressers)
                    delay = due - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    pressed_at[uid] = time.perf_counter()
                    world.press(uid, shown[uid], data)
                last_seen, seen = time.perf_counter(), 0
                while len(answered_at) < len(pressers):
                    await asyncio.sleep(0.2)
                    if len(answered_at) != seen:
                        last_seen, seen = time.perf_counter(), len(answered_at)
                    elif time.perf_counter() - last_seen > scenario.quiet:
                        break
                outcome.pressed = len(pressers)
                outcome.answered = len(answered_at)
                outcome.latencies = [answered_at[u] - pressed_at[u] for u in answered_at]
                last = max(answered_at.values(), default=began)
                outcome.last_answer = last - began
                outcome.counted, outcome.rejected = world.counted, world.rejected
                outcome.bulk_at_last_answer = sum(1 for t in bulk_times if t <= last)
                outcome.bulk_seconds = last - bulk_began
            finally:
                await bot.stop()
    return outcome


async def run(quick: bool = False) -> dict[str, Any]:
    """Both variants; figures ``{name: {"runs", "median", "unit"}}`` for benchmarks/__main__."""
    scenario = Scenario.quick() if quick else Scenario()
    floor = scenario.pressers / SANDBOX_RATE
    units = {
        "answered / pressed": "ratio",
        "time to the last answer": "s",
        "time to the last answer / floor": "ratio",
        "429s / counted calls": "ratio",
        "p50 press to answer": "s",
        "p99 press to answer": "s",
        "broadcast behind its pace": "s",
    }
    figures: dict[str, Any] = {}
    label = f"{scenario.pressers:,} presses in {scenario.spread:.0f} s + broadcast"
    figures[f"pacing, {label}: floor (presses / 30 per s)"] = {
        "runs": [floor], "median": floor, "unit": "s",
    }  # fmt: skip
    new = await run_variant(scenario, "new", PROJECT_ROOT)
    for key, value in new.figures(floor).items():
        figures[f"pacing, {label}: {key}"] = {"runs": [value], "median": value, "unit": units[key]}
    with tempfile.TemporaryDirectory(prefix="forum-main-") as tmp:
        tree = old_tree(Path(tmp))
        if tree is not None:
            old = await run_variant(scenario, "old", tree)
            for key, value in old.figures(floor).items():
                figures[f"pacing (main before), {label}: {key}"] = {
                    "runs": [value], "median": value, "unit": units[key],
                }  # fmt: skip
    return {"figures": figures, "notes": {"pacing_scenario": scenario.__dict__}}


def main() -> None:
    """Run alone: both variants side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.quick))
    rows: dict[str, dict[str, float]] = {}
    for name, figure in result["figures"].items():
        variant, _, key = name.partition(": ")
        rows.setdefault(key, {})["old" if "before" in variant else "new"] = figure["median"]
    print(f"{'figure':40} {'new':>10} {'main before':>12}")
    for key, values in rows.items():
        new, old = values.get("new", float("nan")), values.get("old", float("nan"))
        print(f"{key:40} {new:>10.3f} {old:>12.3f}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
