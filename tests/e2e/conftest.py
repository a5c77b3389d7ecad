"""End-to-end fixtures: the sandbox Telegram, the real bot against it, and users who chat.

async def test_greeting(bot_app, make_user):
    user = make_user(lang="kk")
    await user.command("/start")
    await user.expect("Сәлем")
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.resources import sample_content_path
from bot.sandbox.harness import (
    BotProcess,
    SandboxServer,
    SandboxUser,
    new_user,
    sandbox_settings,
    start_bot,
    stop_bot,
    webhook_settings,
)


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    """The sandbox Bot API server on a free loopback port."""
    async with SandboxServer() as server:
        yield server


@pytest.fixture
def content_file(tmp_path: Path) -> Path:
    """A copy of the sample content (with its photos) that a test may change or replace."""
    folder = tmp_path / "content"
    shutil.copytree(sample_content_path().parent, folder)
    return folder / "forum.yaml"


@pytest.fixture
def clock() -> Clock:
    """The bot's clock: real time until a test sets or freezes it."""
    return Clock()


@pytest.fixture
def bot_settings(sandbox: SandboxServer, tmp_path: Path) -> Any:
    """Settings of a bot on a fresh database, talking to the sandbox."""
    return sandbox_settings(sandbox, tmp_path / "bot.db")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_update_modes`` run once polling and once in webhook mode."""
    if "bot_app" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_update_modes"
    ):
        metafunc.parametrize("update_mode", ["polling", "webhook"], indirect=True)


@pytest.fixture
def update_mode(request: pytest.FixtureRequest) -> str:
    """How the bot gets its updates: ``polling`` (default) or ``webhook``."""
    return str(getattr(request, "param", "polling"))


@pytest.fixture
async def bot_app(
    sandbox: SandboxServer, bot_settings: Any, clock: Clock, update_mode: str
) -> AsyncIterator[Any]:
    """The real Application, started in this event loop, polling the sandbox (or, in webhook
    mode, receiving the sandbox's POSTs on its own web server)."""
    if update_mode == "webhook":
        bot_settings = webhook_settings(bot_settings)
    application = await start_bot(sandbox, bot_settings, clock)
    try:
        yield application
    finally:
        await stop_bot(sandbox, application)
    if update_mode == "webhook":  # really webhook mode: no polling, updates were pushed
        assert sandbox.world.poll_count == 0
        assert sandbox.world.webhook["url"] == bot_settings.webhook_url
    # A Bot API method the sandbox lacks would make e2e results meaningless: say so.
    unsupported = sorted({call["method"] for call in sandbox.world.unsupported})
    assert not unsupported, f"the bot called methods the sandbox does not support: {unsupported}"


@pytest.fixture
def make_user(sandbox: SandboxServer) -> Callable[..., SandboxUser]:
    """``make_user(lang="en", organizer=False, **kw)``: a new Telegram user of the sandbox."""

    def make(lang: str | None = "en", organizer: bool = False, **extra: Any) -> SandboxUser:
        return new_user(sandbox.world, lang, organizer=organizer, **extra)

    return make


@pytest.fixture
async def bot_process(sandbox: SandboxServer, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The bot as a ``python -m bot`` child process: ``start()``, ``kill()``, ``restart()``.

    Not started yet; every start uses the same database, so a test can SIGKILL the bot and
    start it again to see what survived.
    """
    process = BotProcess(sandbox, tmp_path / "bot.db", log_path=tmp_path / "bot-process.log")
    try:
        yield process
    finally:
        await process.kill()


async def delivered(application: Any) -> None:
    """A delivery check has run at the clock's moment and the sender drained the outbox.

    The observable end before asserting that a message did *not* arrive: whatever was due has
    been sent by then, so the assertion cannot pass merely because the machine is slow.
    """
    from bot import delivery

    services = application.bot_data["services"]
    await delivery.check_now(application.bot, services)
    await services.outbox.drained()


async def handled(sandbox: SandboxServer, application: Any, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Every update sent so far was fetched by the bot and its handler has finished.

    The sandbox forgets an update once the bot confirms it (its next poll's offset), which PTB
    does only after queueing it; ``update_queue.join()`` then waits for every queued update's
    handler, replies included.
    """
    world = sandbox.world
    while world.updates:
        await world.wait_for_poll(world.poll_count, timeout)
    await application.update_queue.join()


async def outbox_settled(database: Path, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """A bot in another process has nothing left to send: no outbox row pending or sending.

    Read from the database file itself, so a test can wait for it and then stop that bot
    gracefully (in-flight sends finish): after that nothing more can arrive.
    """
    import asyncio
    import sqlite3

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        with sqlite3.connect(database) as conn:
            busy = conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')"
            ).fetchone()[0]
        if not busy:
            return
        if loop.time() > deadline:
            raise TimeoutError(f"{busy} outbox rows still to send")
        await asyncio.sleep(0.05)
