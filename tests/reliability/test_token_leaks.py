"""The bot token never leaves the process, even when a request fails in ways that quote URLs.

Two loopback listeners stand in for a broken network: one whose accept backlog is full (the
connection times out) and one that redirects every request to itself (too many redirects).
Everything runs at DEBUG; the token (or its secret half) must appear in no log line, no
traceback the transport raises, no database row and no failure CSV.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut

from bot.clock import Clock
from bot.http import AiohttpRequest
from bot.logs import RedactingFormatter
from bot.services import broadcasts
from bot.services.outbox import OutgoingMessage, to_rows
from bot.services.sender import BotApiTransport, Sender
from storage.db import Database
from storage.repos import Repos

TOKEN = "123456789:AAH-secret-TOKEN_value_0123456789abc"
SECRET = TOKEN.split(":", 1)[1]
NOW = datetime(2018, 11, 14, 4, 0, tzinfo=UTC)
FAST = aiohttp.ClientTimeout(total=2, connect=0.5, sock_connect=0.5)


@asynccontextmanager
async def full_backlog() -> AsyncIterator[str]:
    """A listener that never accepts, its backlog filled: new connections time out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(8):  # more than the kernel queues for a backlog of 0
        client = socket.socket()
        client.setblocking(False)
        with suppress(BlockingIOError):
            client.connect(("127.0.0.1", port))
        fillers.append(client)
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        for client in fillers:
            client.close()
        server.close()


@asynccontextmanager
async def redirect_loop() -> AsyncIterator[str]:
    """A server that answers every request with a redirect to itself."""

    async def again(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.rel_url))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", again)
    runner = web.AppRunner(app, access_log=None)  # the "server" side is not the bot
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


def leaks(text: str) -> bool:
    return TOKEN in text or SECRET in text


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def logged_lines(caplog: pytest.LogCaptureFixture) -> tuple[str, str]:
    """Every record as our formatter writes it, and as a plain formatter would."""
    ours = RedactingFormatter("%(name)s %(message)s", TOKEN)
    plain = logging.Formatter("%(name)s %(message)s")
    return (
        "\n".join(ours.format(r) for r in caplog.records),
        "\n".join(plain.format(r) for r in caplog.records),
    )


@pytest.mark.parametrize("network", [full_backlog, redirect_loop])
async def test_transport_error_carries_no_url(network, debug_logs) -> None:
    request = AiohttpRequest(read_timeout=1.0, connect_timeout=0.5)
    await request.initialize()
    try:
        async with network() as base:
            with pytest.raises((TimedOut, NetworkError)) as raised:
                await asyncio.wait_for(request.do_request(f"{base}{TOKEN}/getMe", "POST"), 10)
            logging.getLogger("bot.test").debug("request failed", exc_info=raised.value)
    finally:
        await request.shutdown()
    chain = "".join(traceback.format_exception(raised.value))
    assert not leaks(chain), chain
    assert "://" not in str(raised.value)
    ours, plain = logged_lines(debug_logs)
    assert not leaks(ours)
    assert not leaks(plain)  # not even before redaction


def test_the_formatter_redacts_a_whole_traceback_chain() -> None:
    try:
        try:
            raise ConnectionError(f"Connection timeout to host https://api/bot{TOKEN}/sendMessage")
        except ConnectionError as inner:
            raise RuntimeError("sending failed") from inner
    except RuntimeError as outer:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed for %s", (f"bot{TOKEN}",), None
        )
        record.exc_info = (type(outer), outer, outer.__traceback__)
    line = RedactingFormatter("%(message)s", TOKEN).format(record)
    assert "Connection timeout to host" in line  # the cause is there...
    assert not leaks(line)  # ...without the token


@pytest.mark.parametrize("network", [full_backlog, redirect_loop])
async def test_outbox_error_and_failure_csv_carry_no_token(
    network, debug_logs, tmp_path: Path
) -> None:
    db = Database(tmp_path / "bot.db")
    await db.open()
    repos = Repos(db)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (7, 'A', 'x', 'x')"
        )
        await conn.execute(
            "INSERT INTO broadcasts (id, created_by, created_at, state)"
            " VALUES (1, 7, 'x', 'sending')"
        )
    message = OutgoingMessage(7, "hello", "bc:1:7", "broadcast", broadcast_id=1)
    await repos.outbox.insert(to_rows([message]), NOW)
    try:
        async with network() as base:
            transport = BotApiTransport(base, TOKEN, timeout=FAST)
            sender = Sender(repos.outbox, transport, Clock(NOW), rate=0, chat_rate=0)
            await sender.start()
            try:
                loop = asyncio.get_running_loop()
                deadline = loop.time() + 20
                while not await db.fetchval("SELECT error FROM outbox WHERE user_id = 7"):
                    assert loop.time() < deadline, "the send never failed"
                    await asyncio.sleep(0.05)
            finally:
                await sender.stop(grace=1)
        async with db.transaction() as conn:  # as if it had run out of attempts
            await conn.execute("UPDATE outbox SET state = 'failed'")
        error = await db.fetchval("SELECT error FROM outbox WHERE user_id = 7")
        assert error.startswith("network:")
        assert "://" not in error
        dump = []
        tables = [
            r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for row in await db.fetchall(f'SELECT * FROM "{table}"'):
                dump.append(" ".join(str(v) for v in tuple(row)))
        assert not leaks("\n".join(dump))
        services = type("S", (), {"repos": repos})()
        csv_text = (await broadcasts.failures_csv(services, 1)).decode("utf-8-sig")
        assert "network:" in csv_text
        assert not leaks(csv_text)
        assert "://" not in csv_text
    finally:
        await db.close()
    ours, plain = logged_lines(debug_logs)
    assert not leaks(ours)
    assert not leaks(plain)
