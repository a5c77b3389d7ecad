"""The bot's web server while it runs: /healthz turns 503 when something is wrong; /metrics
is valid Prometheus text with the figures an operator watches."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import Clock
from bot.log_format import JsonFormatter
from bot.sandbox.harness import SandboxUser, sandbox_settings, start_bot, stop_bot
from bot.sandbox.world import Fault
from bot.services.backup import JOB_NAME


async def get(bot_app: Any, path: str) -> tuple[int, str]:
    url = bot_app.bot_data["services"].web.url + path
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def get_json(bot_app: Any, path: str) -> tuple[int, Any]:
    url = bot_app.bot_data["services"].web.url + path
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, parsed by prometheus-client's own parser."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_healthz_ok_then_503_when_the_database_is_read_only(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    user = make_user(lang="en")
    await user.command("/start")
    await user.expect()
    status, body = await get_json(bot_app, "/healthz")
    assert status == 200, body
    assert body["ok"] and body["database_writable"] and body["sender"] == "running"
    assert body["mode"] == "polling" and body["receiving_updates"]
    assert body["outbox_backlog"] == 0
    assert 0 <= body["seconds_since_last_update"] < 600

    db = bot_app.bot_data["services"].db
    await db.conn.execute("PRAGMA query_only = 1")  # as a file turned read-only would behave
    try:
        status, body = await get_json(bot_app, "/healthz")
        assert status == 503 and not body["ok"] and not body["database_writable"], body
    finally:
        await db.conn.execute("PRAGMA query_only = 0")
    status, _ = await get_json(bot_app, "/healthz")
    assert status == 200


async def test_healthz_503_when_the_sender_stops(bot_app: Any) -> None:
    assert (await get_json(bot_app, "/healthz"))[0] == 200
    await bot_app.bot_data["services"].outbox.stop()
    status, body = await get_json(bot_app, "/healthz")
    assert status == 503 and body["sender"] == "stopped", body


async def test_metrics_scraped_and_parsed(
    bot_app: Any, make_user: Callable[..., SandboxUser]
) -> None:
    user = make_user(lang="en")
    await user.command("/start")
    await user.expect()
    await user.command("/agenda")
    await user.expect()
    # An update is counted when it is done, just after its reply went out: scrape until it is.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    key = ("forum_handler_seconds_count", (("handler", "agenda.show_agenda"),))
    while True:
        status, text = await get(bot_app, "/metrics")
        assert status == 200
        found = samples(text)
        if key in found or loop.time() > deadline:
            break
        await asyncio.sleep(0.02)
    assert found[("forum_updates_total", (("kind", "command"),))] >= 2
    assert found[("forum_handler_seconds_count", (("handler", "agenda.show_agenda"),))] == 1
    assert found[("forum_handler_seconds_count", (("handler", "start.start"),))] == 1
    assert found[("forum_users_registered", ())] == 1
    assert found[("forum_users_active_today", ())] == 1
    for state in ("pending", "sent", "failed", "blocked"):
        assert ("forum_outbox_messages", (("state", state),)) in found
    assert ("forum_errors_total", ()) in found
    assert ("forum_outbox_rate_limited", ()) in found
    assert ("forum_reply_rate_limited_total", ()) in found
    assert found[("forum_healthy", ())] == 1


async def test_one_log_line_per_update_without_personal_data(
    bot_app: Any, make_user: Callable[..., SandboxUser], caplog: Any
) -> None:
    caplog.set_level(logging.INFO, logger="bot.updates")
    user = make_user(lang="en", first_name="Zarina")
    await user.command("/start")
    await user.expect()
    await user.send("water policy")
    await user.expect()
    # The line is written when the update is done, just after the reply went out.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while len(lines := [r for r in caplog.records if r.name == "bot.updates"]) < 2:
        assert loop.time() < deadline, lines
        await asyncio.sleep(0.01)
    assert [r.fields["kind"] for r in lines] == ["command", "message"]
    assert [r.fields["handler"] for r in lines] == ["start.start", "free_text.on_message"]
    hashes = {r.fields["user"] for r in lines}
    assert len(hashes) == 1 and len(next(iter(hashes))) == 10
    for record in lines:
        text = JsonFormatter().format(record)
        assert json.loads(text)["handler"] == record.fields["handler"]
        for secret in (str(user.id), "Zarina", "water", "/start"):
            assert secret not in text, (secret, text)


async def test_429_on_a_reply_is_counted(
    bot_app: Any, sandbox: Any, make_user: Callable[..., SandboxUser]
) -> None:
    sandbox.world.add_fault(Fault("sendMessage", count=1, status=429, retry_after=1))
    user = make_user(lang="en")
    await user.command("/help")
    await user.expect("Here is what I can do")  # retried after the 429
    found = samples((await get(bot_app, "/metrics"))[1])
    assert found[("forum_reply_rate_limited_total", ())] == 1


async def test_daily_backup_job_with_backup_dir(sandbox: Any, tmp_path: Path) -> None:
    settings = sandbox_settings(sandbox, tmp_path / "bot.db", backup_dir=tmp_path / "backups")
    application = await start_bot(sandbox, settings, Clock())
    try:
        jobs = application.job_queue.get_jobs_by_name(JOB_NAME)
        assert len(jobs) == 1
        await jobs[0].run(application)  # what the scheduler does at BACKUP_HOUR
        written = list((tmp_path / "backups").glob("forum-*.db"))
        assert len(written) == 1
        assert oct(written[0].stat().st_mode & 0o777) == oct(
            (tmp_path / "bot.db").stat().st_mode & 0o777
        )
    finally:
        await stop_bot(sandbox, application)
