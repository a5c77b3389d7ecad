"""The bot's web server while it runs: /healthz turns 503 when something is wrong; /metrics
is valid Prometheus text with the figures an operator watches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.sandbox.harness import SandboxUser


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
    status, text = await get(bot_app, "/metrics")
    assert status == 200
    found = samples(text)
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
