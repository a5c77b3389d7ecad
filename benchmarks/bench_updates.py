"""Update throughput and latency through the whole bot over HTTP, against the sandbox.

The sandbox (and this driver) run in this process; the bot runs as a ``python -m bot`` child
process, exactly as in production (long polling, ``concurrent_updates`` from Settings), on a
database into which N registered users were inserted before start. The same driver then runs a
bare python-telegram-bot echo bot (``benchmarks/echo_bot.py``) for the framework's floor.

What "one update handled" means: the driver pushes an update (a command, a text, a button press)
and waits for every reaction the bot makes to it (messages, edits, callback answers). How many
reactions each step of the mix causes is measured first on a calibration user, in the steady
state (its second round of the mix); latency is the time from the push to the last reaction.

Figures:
- closed loop: ``users`` virtual users, each sending its next update as soon as the previous one
  was fully answered: throughput (updates/s) and p50/p99 latency;
- open loop: a fixed offered load (400 updates/s) spread over idle users: p50/p99 latency.

Run: ``python -m benchmarks.bench_updates [--quick]`` (or ``python -m benchmarks`` for all).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.sandbox.server import SandboxServer
from bot.sandbox.world import ApiError, Json, SandboxWorld

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIRST_BENCH_USER = 500_000_001
STEP_TIMEOUT = 10.0


# ------------------------------------------------------------------------------ the world
class BenchWorld(SandboxWorld):
    """A sandbox world that reports every bot reaction to the driver as it is recorded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.observer: Callable[[int], None] | None = None
        super().__init__(*args, **kwargs)

    def _record_event(self, chat_id: int, kind: str, actor: str, *args: Any, **kwargs: Any) -> Json:
        event = super()._record_event(chat_id, kind, actor, *args, **kwargs)
        if actor == "bot" and self.observer is not None:
            self.observer(chat_id)
        return event


# ------------------------------------------------------------------------------ the mix
@dataclass(frozen=True)
class Step:
    """One user action: ``command`` (/x), ``text`` or ``press`` (a button whose data matches)."""

    name: str
    kind: str
    arg: str


def forum_mix() -> list[Step]:
    """What attendees do at a forum, using the features the bot has right now."""
    from bot.commands import COMMANDS

    have = {c.name for c in COMMANDS}
    steps = [Step("/start", "command", "/start")]
    if "agenda" in have:
        steps += [
            Step("/agenda", "command", "/agenda"),
            Step("agenda button", "press", r"^ag:"),
            Step("agenda button 2", "press", r"^ag:"),
        ]
    if "now" in have:
        steps.append(Step("/now", "command", "/now"))
    steps.append(Step("search text", "text", "бюджет"))
    if "surveys" in have:
        steps += [
            Step("/surveys", "command", "/surveys"),
            Step("survey button", "press", r"^sv:"),
            Step("survey answer", "press", r"^sv:"),
        ]
    if "speakers" in have:
        steps.append(Step("/speakers", "command", "/speakers"))
    if "my" in have:
        steps.append(Step("/my", "command", "/my"))
    steps += [
        Step("/help", "command", "/help"),
        Step("/language", "command", "/language"),
        Step("language button", "press", r"^lang:lang:ru$"),
    ]
    return steps


# ------------------------------------------------------------------------------ the bot
@dataclass
class BotUnderTest:
    """A bot child process polling the sandbox."""

    name: str
    argv: list[str]
    env: dict[str, str]
    workdir: Path
    process: asyncio.subprocess.Process | None = None
    startup_seconds: float = 0.0

    async def start(self, world: SandboxWorld, limit: float = 60.0) -> float:
        """Spawn and wait for the first getUpdates; returns the seconds that took."""
        polls = world.poll_count
        log = (self.workdir / f"{self.name}.log").open("ab")
        began = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            env=self.env,
            cwd=str(self.workdir),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        log.close()
        polled = asyncio.ensure_future(world.wait_for_poll(polls, limit))
        exited = asyncio.ensure_future(self.process.wait())
        done, _ = await asyncio.wait({polled, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited in done:
            polled.cancel()
            raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
        exited.cancel()
        polled.result()
        self.startup_seconds = time.perf_counter() - began
        return self.startup_seconds

    def peak_rss_mb(self) -> float | None:
        """VmHWM of the process (peak resident set), in MiB."""
        if self.process is None:
            return None
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        return int(match.group(1)) / 1024 if match else None

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL after a few seconds."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        """The end of the child's output."""
        path = self.workdir / f"{self.name}.log"
        with contextlib.suppress(OSError):
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def _base_env(server: SandboxServer) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "TELEGRAM_", "ADMIN_", "DATABASE_", "CLOCK_", "FLOOD_"))
    }
    env.update(
        {
            "BOT_TOKEN": server.world.token,
            "TELEGRAM_API_BASE_URL": server.api_base_url,
            "TELEGRAM_FILE_BASE_URL": server.file_base_url,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def forum_bot(server: SandboxServer, workdir: Path, database: Path, **env: str) -> BotUnderTest:
    """Our bot, as ``python -m bot``, with production settings except the endpoints."""
    values = _base_env(server)
    values.update(
        {
            "DATABASE_PATH": str(database),
            "ADMIN_IDS": ",".join(str(i) for i in server.world.organizer_ids),
            "LOG_LEVEL": "WARNING",
            # The benchmark measures the bot, not its flood guard: virtual users are fast.
            "FLOOD_LIMIT": "1000000",
            # Nor Telegram's limits: this sandbox has none (like a local Bot API server), so
            # the shared send budget is off; bench_pacing measures the bot at the limits.
            "SEND_RATE": "0",
            "SEND_CHAT_RATE": "0",
        }
    )
    values.update(env)
    return BotUnderTest("forum-bot", [sys.executable, "-m", "bot"], values, workdir)


def echo_bot(
    server: SandboxServer, workdir: Path, concurrent_updates: int, transport: str = "httpx"
) -> BotUnderTest:
    """The bare framework echo bot (PTB's default transport, or ours: ``aiohttp``)."""
    values = _base_env(server)
    values["CONCURRENT_UPDATES"] = str(concurrent_updates)
    values["ECHO_TRANSPORT"] = transport
    name = "echo-bot" if transport == "httpx" else f"echo-bot-{transport}"
    return BotUnderTest(name, [sys.executable, "-m", "benchmarks.echo_bot"], values, workdir)


def production_concurrency() -> int:
    """``concurrent_updates`` as Settings configures it by default."""
    from bot.settings import Settings

    return int(Settings.model_fields["concurrent_updates"].default)


async def prepare_database(path: Path, count: int, first_id: int = FIRST_BENCH_USER) -> list[int]:
    """Create the schema and insert ``count`` onboarded users; returns their ids."""
    from storage.db import Database

    db = Database(path)
    await db.open()
    ids = list(range(first_id, first_id + count))
    languages = ("ru", "kk", "en")
    groups = ("ngo", "government", "business", "science", None)
    rows = [
        (
            uid,
            "User",
            None,
            None,
            "ru",
            languages[i % 3],
            groups[i % 5],
            1,
            "2018-11-01T09:00:00+00:00",
            "2018-11-01T09:00:00+00:00",
        )
        for i, uid in enumerate(ids)
    ]
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, last_name, username, language_code, language,"
            " stakeholder, onboarded, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    await db.close()
    return ids


# ------------------------------------------------------------------------------ the driver
@dataclass
class Pending:
    """An update waiting for its reactions."""

    remaining: int
    started: float
    done: asyncio.Future[float]


@dataclass
class RunResult:
    """What one load run measured."""

    handled: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    skipped: int = 0
    cpu_seconds: float = float("nan")  # the bot's, in the measured window (closed loop)

    @property
    def throughput(self) -> float:
        """Updates fully handled per second."""
        return self.handled / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Latency percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index] * 1000


class Driver:
    """Pushes the mix into the sandbox and times the bot's reactions."""

    def __init__(self, world: BenchWorld, steps: list[Step], *, press_any: bool = False) -> None:
        self.world = world
        self.steps = steps
        self.press_any = press_any
        self.expected: dict[Step, int] = {}
        self.pending: dict[int, Pending] = {}
        self.reactions: dict[int, int] = {}
        # Each user's next step in the mix (set by warm_up).
        self.position: dict[int, int] = {}
        world.observer = self._on_bot_event

    def _on_bot_event(self, chat_id: int) -> None:
        self.reactions[chat_id] = self.reactions.get(chat_id, 0) + 1
        pending = self.pending.get(chat_id)
        if pending is None:
            return
        pending.remaining -= 1
        if pending.remaining <= 0:
            del self.pending[chat_id]
            if not pending.done.done():
                pending.done.set_result(time.perf_counter() - pending.started)

    def _push(self, user_id: int, step: Step) -> bool:
        """Perform the action; False when it cannot (no such button)."""
        world = self.world
        if step.kind == "command":
            world.send_command(user_id, step.arg)
        elif step.kind == "text":
            world.send_text(user_id, step.arg)
        else:
            pattern = re.compile(".*" if self.press_any else step.arg)
            for stored in reversed(world.history(user_id)):
                if not stored.outgoing:
                    continue
                keyboard = (stored.data.get("reply_markup") or {}).get("inline_keyboard") or []
                datas = [
                    b["callback_data"] for row in keyboard for b in row if "callback_data" in b
                ]
                matching = [d for d in datas if pattern.search(d)]
                if matching:
                    world.press(user_id, stored.message_id, matching[0])
                    return True
                if datas:
                    return False  # the latest keyboard has no such button
            return False
        return True

    async def act(self, user_id: int, step: Step, expected: int) -> float | None:
        """Push ``step`` for ``user_id`` and wait for ``expected`` reactions; the latency."""
        loop = asyncio.get_running_loop()
        pending = Pending(expected, time.perf_counter(), loop.create_future())
        self.pending[user_id] = pending
        try:
            if not self._push(user_id, step):
                return None
        except ApiError:
            return None
        finally:
            if expected <= 0:
                self.pending.pop(user_id, None)
        if expected <= 0:
            return 0.0
        try:
            return await asyncio.wait_for(pending.done, STEP_TIMEOUT)
        except TimeoutError:
            self.pending.pop(user_id, None)
            return None

    async def _quiet(self, user_id: int, quiet: float = 0.4, limit: float = 10.0) -> int:
        """Wait until the bot has said nothing in the chat for ``quiet`` s; reactions seen."""
        began = self.reactions.get(user_id, 0)
        last, seen_at, deadline = began, time.perf_counter(), time.perf_counter() + limit
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
            now = self.reactions.get(user_id, 0)
            if now != last:
                last, seen_at = now, time.perf_counter()
            elif time.perf_counter() - seen_at >= quiet:
                break
        return last - began

    async def calibrate(self, user_id: int) -> None:
        """Count each step's reactions in the steady state; drop steps that cannot run."""
        counts: dict[Step, int] = {}
        usable: list[Step] = []
        for round_ in range(2):
            for step in self.steps:
                before = self.reactions.get(user_id, 0)
                if not self._push(user_id, step):
                    continue
                await self._quiet(user_id)
                if round_ == 1:
                    counts[step] = self.reactions.get(user_id, 0) - before
                    usable.append(step)
        self.steps = [s for s in usable if counts[s] > 0]
        self.expected = counts

    async def warm_up(self, users: list[int]) -> None:
        """One round of the mix for every user, so each is in the steady state, then on to the
        step where the runs start it (``start_of``): a button is then there to press."""

        async def one(index: int, user_id: int) -> None:
            for step in self.steps + self.steps[: self.start_of(index)]:
                await self._push_and_settle(user_id, step)
            self.position[user_id] = self.start_of(index)

        await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))

    def start_of(self, index: int) -> int:
        """Where in the mix the ``index``-th user starts: people at a forum do not all press the
        same button in the same second (bench_qa and bench_pacing measure such waves)."""
        return index % len(self.steps)

    def next_step(self, user_id: int) -> Step:
        """The user's next step; each run goes on where the last one left the user."""
        position = self.position.get(user_id, 0)
        self.position[user_id] = (position + 1) % len(self.steps)
        return self.steps[position]

    async def _push_and_settle(self, user_id: int, step: Step) -> None:
        if await self.act(user_id, step, self.expected[step]) is None:
            await self._quiet(user_id)

    async def closed_loop(
        self,
        users: list[int],
        seconds: float,
        warm: float,
        cpu: Callable[[], float] | None = None,
    ) -> RunResult:
        """Each user sends its next update when the previous one is answered; ``cpu`` (the
        bot's CPU seconds so far) is read when the measured window opens and closes."""
        result = RunResult()
        loop = asyncio.get_running_loop()
        start = loop.time() + warm
        stop = start + seconds
        if cpu is not None:
            window: list[float] = []
            loop.call_at(start, lambda: window.append(cpu()))
            loop.call_at(stop, lambda: window.append(cpu()))

        async def user_loop(user_id: int) -> None:
            while loop.time() < stop:
                step = self.next_step(user_id)
                t0 = loop.time()
                latency = await self.act(user_id, step, self.expected[step])
                t1 = loop.time()
                if latency is None:
                    if t0 >= start and t1 <= stop:
                        result.timeouts += 1
                    await self._quiet(user_id)
                    continue
                if t0 >= start and t1 <= stop:
                    result.handled += 1
                    result.latencies.append(latency)

        await asyncio.gather(*(user_loop(u) for u in users))
        result.seconds = seconds
        if cpu is not None and len(window) == 2:
            result.cpu_seconds = window[1] - window[0]
        return result

    async def open_loop(self, users: list[int], rate: float, seconds: float) -> RunResult:
        """Offer ``rate`` updates a second, each to a user with nothing outstanding."""
        result = RunResult()
        loop = asyncio.get_running_loop()
        idle: deque[int] = deque(users)
        tasks: set[asyncio.Task[None]] = set()

        async def one(user_id: int) -> None:
            step = self.next_step(user_id)
            latency = await self.act(user_id, step, self.expected[step])
            if latency is None:
                result.timeouts += 1
                await self._quiet(user_id)
            else:
                result.handled += 1
                result.latencies.append(latency)
            idle.append(user_id)

        total = int(rate * seconds)
        began = loop.time()
        for n in range(total):
            due = began + n / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if not idle:
                result.skipped += 1
                continue
            task = asyncio.create_task(one(idle.popleft()))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        result.seconds = loop.time() - began
        return result


# ------------------------------------------------------------------------------ scenarios
@dataclass
class Config:
    """How long and how big."""

    user_counts: tuple[int, ...] = (1_000, 10_000)
    virtual_users: int = 128
    seconds: float = 5.0
    warm: float = 1.0
    runs: int = 3
    open_rate: float = 400.0
    open_seconds: float = 5.0

    @classmethod
    def quick(cls) -> Config:
        """A smoke run for CI: small and short, one run each."""
        return cls(
            user_counts=(1_000,),
            virtual_users=16,
            seconds=1.0,
            warm=0.3,
            runs=1,
            open_rate=50.0,
            open_seconds=1.0,
        )


@dataclass
class Session:
    """A bot under test, started, calibrated and warmed up, with its sandbox and driver."""

    bot: BotUnderTest
    driver: Driver
    users: list[int]
    startup: float
    closed: list[RunResult] = field(default_factory=list)
    opened: list[RunResult] = field(default_factory=list)

    async def closed_run(self, config: Config) -> RunResult:
        """One closed-loop run, with the bot's CPU over its measured window."""
        process = self.bot.process
        assert process is not None
        with collector_paused():
            result = await self.driver.closed_loop(
                self.users,
                config.seconds,
                config.warm,
                cpu=lambda: process_cpu_seconds(process.pid),
            )
        self.closed.append(result)
        return result

    async def open_run(self, config: Config) -> RunResult:
        """One open-loop run at the configured rate."""
        with collector_paused():
            result = await self.driver.open_loop(self.users, config.open_rate, config.open_seconds)
        self.opened.append(result)
        return result

    def figures(self) -> dict[str, Any]:
        """What the runs so far measured."""
        runs, driver = self.closed, self.driver
        out: dict[str, Any] = {
            "startup_s": self.startup,
            "steps": {s.name: driver.expected[s] for s in driver.steps},
            "step_list": list(driver.steps),
            "throughput": [r.throughput for r in runs],
            "p50_ms": [r.percentile(50) for r in runs],
            "p99_ms": [r.percentile(99) for r in runs],
            "timeouts": sum(r.timeouts for r in runs),
            # The bot's CPU (all threads) per update answered in the measured windows.
            "cpu_ms_per_update": [
                r.cpu_seconds * 1000 / r.handled if r.handled else float("nan") for r in runs
            ],
            "peak_rss_mb": self.bot.peak_rss_mb(),
        }
        if self.opened:
            out["open_p50_ms"] = [r.percentile(50) for r in self.opened]
            out["open_p99_ms"] = [r.percentile(99) for r in self.opened]
            out["open_skipped"] = sum(r.skipped for r in self.opened)
            out["open_timeouts"] = sum(r.timeouts for r in self.opened)
        return out


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection in the driver during a run: a full collection of the sandbox's
    recorded events stalled the sandbox for about 110 ms in the middle of each open-loop run
    (seen in gc.callbacks), and every update in flight, the bot's or the echo bot's, paid for
    it in its p99. The run's garbage is collected after it."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


@contextlib.asynccontextmanager
async def session(
    config: Config,
    registered: int,
    *,
    echo: bool = False,
    echo_transport: str = "httpx",
    steps: list[Step] | None = None,
    profile: Path | None = None,
) -> AsyncIterator[Session]:
    """One bot, one sandbox: started, calibrated and warmed up; stopped on leaving.
    ``profile``: the bot runs under cProfile, its stats written there when it stops."""
    # The driver's heap (imports, what earlier measurements left) out of its collector's sight:
    # a full collection of it (0.4 s here) would stall the sandbox in the middle of a run.
    gc.collect()
    gc.freeze()
    world = BenchWorld(max_events=400_000)
    async with SandboxServer(world) as server:
        with tempfile.TemporaryDirectory(prefix="forum-bench-") as tmp:
            workdir = Path(tmp)
            concurrency = production_concurrency()
            if echo:
                bot = echo_bot(server, workdir, concurrency, echo_transport)
                ids = list(range(FIRST_BENCH_USER, FIRST_BENCH_USER + config.virtual_users + 1))
            else:
                database = workdir / "bench.db"
                ids = await prepare_database(database, registered)
                bot = forum_bot(server, workdir, database)
            wanted = config.virtual_users + 1
            active = ids[:: max(1, len(ids) // wanted)][:wanted]
            for uid in active:
                world.add_user("User", user_id=uid, language_code="ru")
            if profile is not None:
                bot.argv = [sys.executable, "-m", "cProfile", "-o", str(profile), *bot.argv[1:]]
            progress(f"{bot.name}: {registered:,} registered users, starting")
            startup = await bot.start(world)
            progress(f"{bot.name}: polling after {startup:.2f} s; calibrating")
            try:
                driver = Driver(world, steps or forum_mix(), press_any=echo)
                await driver.calibrate(active[0])
                users = active[1:]
                progress(f"{bot.name}: mix {[(s.name, driver.expected[s]) for s in driver.steps]}")
                await driver.warm_up(users)
                progress(f"{bot.name}: warmed up")
                yield Session(bot, driver, users, startup)
            finally:
                await bot.stop()


async def measure_bot(
    config: Config,
    registered: int,
    *,
    echo: bool = False,
    echo_transport: str = "httpx",
    open_loop: bool = False,
    steps: list[Step] | None = None,
) -> dict[str, Any]:
    """One bot alone: its closed-loop runs (and open-loop runs)."""
    async with session(
        config, registered, echo=echo, echo_transport=echo_transport, steps=steps
    ) as measured:
        for _ in range(config.runs):
            await measured.closed_run(config)
        if open_loop:
            for _ in range(config.runs):
                await measured.open_run(config)
        return measured.figures()


async def measure_pair(
    config: Config, registered: int, *, open_loop: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bot and the echo bot on aiohttp, both running, measured turn about: run k of each
    back to back, so a slow minute of a shared machine falls on both (the ratio is taken per
    pair). Returns (the bot's figures, the echo bot's)."""
    async with session(config, registered) as ours:
        steps = list(ours.driver.steps)
        async with session(config, 0, echo=True, echo_transport="aiohttp", steps=steps) as floor:
            for _ in range(config.runs):
                await ours.closed_run(config)
                await floor.closed_run(config)
            if open_loop:
                for _ in range(config.runs):
                    await ours.open_run(config)
                    await floor.open_run(config)
            return ours.figures(), floor.figures()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, all its threads (its /proc stat), in seconds."""
    return stat_cpu_seconds(Path(f"/proc/{pid}/stat"))


def stat_cpu_seconds(stat: Path) -> float:
    """User + system CPU in a /proc ``stat`` file (a process's or one thread's), in seconds."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def progress(message: str) -> None:
    """One line of progress on stderr (stdout carries the results)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _per_pair(numerators: list[float], denominators: list[float]) -> list[float]:
    """The ratio of each pair of runs measured back to back (NaN where a run measured 0)."""
    return [n / d if d else float("nan") for n, d in zip(numerators, denominators, strict=True)]


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


async def run(quick: bool = False) -> dict[str, Any]:
    """Every update figure: ``{name: {"runs": [...], "median": x, "unit": u}}``."""
    config = Config.quick() if quick else Config()
    figures: dict[str, Any] = {}
    notes: dict[str, Any] = {}

    def put(name: str, runs: list[float], unit: str) -> None:
        figures[name] = {"runs": runs, "median": _median(runs), "unit": unit}

    echo: dict[str, Any] = {}
    rate = f"{config.open_rate:.0f} updates/s"
    for registered in config.user_counts:
        biggest = registered == max(config.user_counts)
        # The bot and its floor on the same transport, measured turn about (measure_pair).
        ours, echo_aio = await measure_pair(config, registered, open_loop=biggest)
        if not echo:  # PTB's defaults, on exactly the steps our bot could run
            echo = await measure_bot(config, 0, echo=True, steps=ours["step_list"], open_loop=True)
            put("echo bot: throughput", echo["throughput"], "updates/s")
            put("echo bot: p50 latency", echo["p50_ms"], "ms")
            put("echo bot: p99 latency", echo["p99_ms"], "ms")
            put(f"echo bot: p50 latency at {rate}", echo["open_p50_ms"], "ms")
            put(f"echo bot: p99 latency at {rate}", echo["open_p99_ms"], "ms")
            if echo.get("peak_rss_mb"):  # the framework's own footprint: the floor of memory
                put("echo bot: peak RSS", [echo["peak_rss_mb"]], "MiB")
        if biggest:  # the floors shown: those paired with the biggest forum
            put("echo bot on aiohttp: throughput", echo_aio["throughput"], "updates/s")
            put(f"echo bot on aiohttp: p50 latency at {rate}", echo_aio["open_p50_ms"], "ms")
            put(f"echo bot on aiohttp: p99 latency at {rate}", echo_aio["open_p99_ms"], "ms")
            put("echo bot on aiohttp: CPU per update", echo_aio["cpu_ms_per_update"], "ms")
        label = f"{registered:,} users"
        put(f"bot, {label}: throughput", ours["throughput"], "updates/s")
        put(f"bot, {label}: p50 latency", ours["p50_ms"], "ms")
        put(f"bot, {label}: p99 latency", ours["p99_ms"], "ms")
        ratio = _median(ours["throughput"]) / (_median(echo["throughput"]) or float("nan"))
        put(f"bot, {label}: throughput / echo bot", [ratio], "ratio")
        put(
            f"bot, {label}: throughput / echo bot on aiohttp",
            _per_pair(ours["throughput"], echo_aio["throughput"]),
            "ratio",
        )
        put(f"bot, {label}: CPU per update", ours["cpu_ms_per_update"], "ms")
        # The same comparison in CPU: how much of the echo bot's speed the bot's own work
        # leaves (the echo bot's CPU over the bot's, run by run).
        put(
            f"bot, {label}: echo bot's CPU per update / the bot's",
            _per_pair(echo_aio["cpu_ms_per_update"], ours["cpu_ms_per_update"]),
            "ratio",
        )
        if "open_p99_ms" in ours:
            put(f"bot, {label}: p50 latency at {rate}", ours["open_p50_ms"], "ms")
            put(f"bot, {label}: p99 latency at {rate}", ours["open_p99_ms"], "ms")
            notes["open_loop_skipped"] = ours["open_skipped"]
            notes["open_loop_timeouts"] = ours["open_timeouts"]
        notes[f"timeouts_{registered}"] = ours["timeouts"]
        notes["mix"] = ours["steps"]
    notes["echo_mix"] = echo["steps"]
    notes["virtual_users"] = config.virtual_users
    notes["concurrent_updates"] = production_concurrency()
    return {"figures": figures, "notes": notes}


def run_alone(runner: Callable[[bool], Any], doc: str | None) -> None:
    """``python -m benchmarks.<name> [--quick]``: run one benchmark, print its figures as JSON."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(runner(args.quick)), indent=2, ensure_ascii=False))


def main() -> None:
    """Run alone and print the figures as JSON."""
    run_alone(run, __doc__)


if __name__ == "__main__":
    main()
