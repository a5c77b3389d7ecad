"""CPU per update of the bot under the benchmark's mix, and where it goes (cProfile).

Unlike ``bench_updates`` this does not time anything against the wall clock: it drives a fixed
number of updates of the forum mix through a ``python -m bot`` child (10,000 registered users by
default) and reads the child's own CPU time (user + system, from /proc) before and after, so
the figure, CPU milliseconds per update, barely moves with the load of a shared machine.

    python -m benchmarks.profile_updates [--updates 3000] [--profile out.prof] [--top 40]

With ``--profile`` the child runs under cProfile (which slows it about twofold; the CPU figure
is then the profiled one) and the top functions by cumulative and own time are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import pstats
import time
from pathlib import Path

from benchmarks.bench_updates import (
    Config,
    Driver,
    process_cpu_seconds,
    progress,
    session,
    stat_cpu_seconds,
)


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU so far of each thread of a process: the main thread (the event loop) as "event loop",
    the others (the database's, the resolver's) by thread id."""
    spent: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        name = "event loop" if task.name == str(pid) else f"thread {task.name}"
        try:
            spent[name] = stat_cpu_seconds(task / "stat")
        except OSError:  # the thread ended meanwhile
            continue
    return spent


async def drive(driver: Driver, users: list[int], total: int) -> int:
    """Closed loop until ``total`` updates were fully answered; the number answered."""
    done = 0

    async def user_loop(user_id: int) -> None:
        nonlocal done
        while done < total:
            step = driver.next_step(user_id)
            if await driver.act(user_id, step, driver.expected[step]) is None:
                await driver._quiet(user_id)
                continue
            done += 1

    await asyncio.gather(*(user_loop(u) for u in users))
    return done


async def run(
    updates: int, registered: int, virtual: int, profile: Path | None, echo: bool = False
) -> float:
    """CPU milliseconds per update of the bot child (``echo``: the echo bot on aiohttp)."""
    config = Config(virtual_users=virtual)
    async with session(
        config,
        registered,
        echo=echo,
        echo_transport="aiohttp",
        profile=profile,
    ) as measured:
        process, driver, world = measured.bot.process, measured.driver, measured.driver.world
        assert process is not None
        calls = dict(world.method_counts)
        before, began = process_cpu_seconds(process.pid), time.perf_counter()
        threads_before = thread_cpu_seconds(process.pid)
        driver_before = time.process_time()
        handled = await drive(driver, measured.users, updates)
        spent = process_cpu_seconds(process.pid) - before
        threads = {
            name: cpu - threads_before.get(name, 0.0)
            for name, cpu in thread_cpu_seconds(process.pid).items()
        }
        wall = time.perf_counter() - began
        driver_spent = time.process_time() - driver_before
        made = {m: n - calls.get(m, 0) for m, n in world.method_counts.items()}
    if process.returncode not in (0, None):
        progress(f"bot exited {process.returncode}:\n{measured.bot.log_tail()}")
    per_update = spent * 1000 / handled
    api = {m: round(n / handled, 3) for m, n in sorted(made.items()) if n}
    progress(
        f"the sandbox and driver (this process): {driver_spent * 1000 / handled:.2f} ms CPU"
        " per update"
    )
    progress(f"Bot API calls per update: {sum(made.values()) / handled:.2f} {api}")
    by_thread = ", ".join(
        f"{name} {cpu * 1000 / handled:.2f}" for name, cpu in sorted(threads.items()) if cpu > 0
    )
    progress(f"CPU ms per update by thread : {by_thread}")
    progress(
        f"{handled} updates, {spent:.2f} s CPU: {per_update:.2f} ms per update;"
        f" {handled / wall:.0f} updates/s (noisy: wall clock), bot busy {spent / wall:.0%}"
    )
    return per_update


def main() -> None:
    """Parse the options, run, print the CPU figure (and the profile)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--registered", type=int, default=10_000)
    parser.add_argument("--virtual-users", type=int, default=Config.virtual_users)
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats here")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--echo", action="store_true", help="the echo bot on aiohttp instead")
    args = parser.parse_args()
    profile = args.profile.resolve() if args.profile else None
    per_update = asyncio.run(
        run(args.updates, args.registered, args.virtual_users, profile, args.echo)
    )
    print(f"cpu_ms_per_update {per_update:.3f}")
    if profile is not None and profile.exists():
        stats = pstats.Stats(str(profile))
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
