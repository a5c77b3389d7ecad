"""Peak memory of the bot process and its start-up time, at forum scale.

- Peak RSS: ``python -m bot`` as a child process on a database of 10,000 registered users and a
  full programme (the sample forum cloned over three days, three times the sessions and
  speakers), after every one of the 10,000 users has talked to it once and a group of them has
  browsed with the usual mix for a while; read from ``/proc/<pid>/status`` (``VmHWM``).
- Start-up: from spawning the process to its first ``getUpdates`` at the sandbox, with the same
  database and programme.
- National scale: 50,000 registered users, 500 of them active (each goes through the mix once,
  then all 500 browse in a closed loop for 5 s): peak RSS of a fresh process.

Run: ``python -m benchmarks.bench_memory [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import shutil
import statistics
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from benchmarks.bench_updates import (
    BenchWorld,
    Driver,
    Step,
    forum_bot,
    forum_mix,
    prepare_database,
    progress,
)
from bot.sandbox.server import SandboxServer

REGISTERED = 10_000
NATIONAL, ACTIVE = 50_000, 500


def full_programme(destination: Path, days: int = 3) -> Path:
    """The sample forum, its sessions and speakers repeated over ``days`` days; validated."""
    from bot.content import load_content
    from bot.resources import sample_content_path

    source = sample_content_path()
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    first = data["forum"]["starts"]
    first = first if isinstance(first, date) else date.fromisoformat(str(first))
    data["forum"]["ends"] = first + timedelta(days=days - 1)
    speakers = list(data.get("speakers") or [])
    sessions = list(data.get("sessions") or [])
    for day in range(1, days):
        shift = (first + timedelta(days=day)).isoformat()
        renamed = {}
        for speaker in speakers:
            clone = copy.deepcopy(speaker)
            clone["id"] = f"{speaker['id']}-d{day + 1}"
            renamed[speaker["id"]] = clone["id"]
            data["speakers"].append(clone)
        for session in sessions:
            clone = copy.deepcopy(session)
            clone["id"] = f"{session['id']}-d{day + 1}"
            for key in ("starts", "ends"):
                value = str(clone[key])
                clone[key] = shift + value[10:]
            for key in ("speakers", "moderators"):
                if isinstance(clone.get(key), list):
                    clone[key] = [
                        renamed.get(s, s) if isinstance(s, str) else s for s in clone[key]
                    ]
            data["sessions"].append(clone)
    destination.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    # Photos are referenced relative to the content file.
    photos = source.parent / "photos"
    if photos.is_dir() and not (destination.parent / "photos").exists():
        # A copy, not a symlink: the loader wants photos inside the content folder.
        shutil.copytree(photos, destination.parent / "photos")
    forum = load_content(destination)  # raises ContentError if the clone is not valid
    progress(f"full programme: {len(forum.sessions)} sessions, {len(forum.speakers)} speakers")
    return destination


async def measure(quick: bool) -> dict[str, Any]:
    """One bot: start-ups, then everyone once, then the mix; start-up seconds and VmHWM."""
    registered = 1_000 if quick else REGISTERED
    world = BenchWorld(max_events=400_000)
    async with SandboxServer(world) as server:
        with tempfile.TemporaryDirectory(prefix="forum-bench-mem-") as tmp:
            workdir = Path(tmp)
            database = workdir / "bench.db"
            ids = await prepare_database(database, registered)
            try:
                content = full_programme(workdir / "forum.yaml")
                programme = "full"
            except Exception as exc:  # the content model changed under us: use the sample
                progress(f"full programme not valid ({exc}); using the sample forum")
                from bot.resources import sample_content_path

                content, programme = sample_content_path(), "sample"
            env = {"FORUM_CONTENT": str(content)}
            startups = []
            for _ in range(1 if quick else 3):
                bot = forum_bot(server, workdir, database, **env)
                startups.append(await bot.start(world))
                await bot.stop()
            progress(f"start-up to first getUpdates: {[round(s, 2) for s in startups]} s")

            for uid in ids:
                world.add_user("User", user_id=uid, language_code="ru")
            bot = forum_bot(server, workdir, database, **env)
            await bot.start(world)
            try:
                driver = Driver(world, [Step("/start", "command", "/start")])
                await driver.calibrate(ids[0])
                gate = asyncio.Semaphore(128)

                async def once(uid: int) -> None:
                    async with gate:
                        await driver.act(uid, driver.steps[0], driver.expected[driver.steps[0]])

                await asyncio.gather(*(once(uid) for uid in ids[1:]))
                progress(f"all {registered:,} users talked once; VmHWM {bot.peak_rss_mb():.1f} MiB")
                browsing = Driver(world, forum_mix())
                await browsing.calibrate(ids[1])
                group = ids[2 : 2 + (16 if quick else 128)]
                await browsing.warm_up(group)
                await browsing.closed_loop(group, 1.0 if quick else 5.0, 0.0)
                peak = bot.peak_rss_mb()
                progress(f"after browsing: VmHWM {peak:.1f} MiB")
            finally:
                await bot.stop()
    return {"startups": startups, "peak": peak, "programme": programme, "registered": registered}


async def national(quick: bool) -> tuple[float, int, int]:
    """Peak RSS (MiB) with many registered users and a few hundred active ones."""
    registered, active = (5_000, 50) if quick else (NATIONAL, ACTIVE)
    world = BenchWorld(max_events=400_000)
    async with SandboxServer(world) as server:
        with tempfile.TemporaryDirectory(prefix="forum-bench-national-") as tmp:
            workdir = Path(tmp)
            database = workdir / "bench.db"
            ids = await prepare_database(database, registered)
            env = {"FORUM_CONTENT": str(full_programme(workdir / "forum.yaml"))}
            users = ids[:: len(ids) // (active + 1)][: active + 1]
            for uid in users:
                world.add_user("User", user_id=uid, language_code="ru")
            bot = forum_bot(server, workdir, database, **env)
            await bot.start(world)
            try:
                browsing = Driver(world, forum_mix())
                await browsing.calibrate(users[0])
                await browsing.warm_up(users[1:])
                await browsing.closed_loop(users[1:], 1.0 if quick else 5.0, 0.0)
                peak = bot.peak_rss_mb() or float("nan")
                progress(f"{registered:,} registered, {active} active: VmHWM {peak:.1f} MiB")
            finally:
                await bot.stop()
    return peak, registered, active


async def run(quick: bool = False) -> dict[str, Any]:
    """Figures: start-up seconds (median of 3) and peak RSS (one run each)."""
    peak, registered, active = await national(quick)
    results = [await measure(quick)]  # one run: the sweep over 10,000 users takes ~80 s
    startups = [s for r in results for s in r["startups"]]
    peaks = [r["peak"] for r in results]
    label = f"{results[0]['registered']:,} users, {results[0]['programme']} programme"
    return {
        "figures": {
            f"start-up to first getUpdates, {label}": {
                "runs": startups,
                "median": statistics.median(startups),
                "unit": "s",
            },
            f"peak RSS, {label}": {
                "runs": peaks,
                "median": statistics.median(peaks),
                "unit": "MiB",
            },
            f"peak RSS, {registered:,} registered users, {active} active": {
                "runs": [peak],
                "median": peak,
                "unit": "MiB",
            },
        },
        "notes": {"programme": results[0]["programme"]},
    }


def main() -> None:
    """Run alone and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 users, one run")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.quick)), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
