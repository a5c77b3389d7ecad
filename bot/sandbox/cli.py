"""``forum-bot sandbox``: the sandbox server, the real bot in-process, and the web chat."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.private_files import private_folder
from bot.sandbox.harness import start_bot, stop_bot
from bot.sandbox.server import SandboxServer
from bot.sandbox.world import SandboxWorld

DEFAULT_PORT = 8080
DEFAULT_DATABASE = Path("data/sandbox.db")


def forum_time(value: str) -> datetime:
    """argparse type: a forum-local ISO time such as ``2018-11-14T10:30``."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO date and time: {value!r} (example: 2018-11-14T10:30)"
        ) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``sandbox`` subcommand's options."""
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="HTTP port (8080)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (127.0.0.1)")
    parser.add_argument(
        "--at",
        type=forum_time,
        default=None,
        metavar="TIME",
        help='start the bot\'s clock at this forum-local time, e.g. "2018-11-14T10:30"',
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=DEFAULT_DATABASE,
        help="the sandbox bot's own database (data/sandbox.db)",
    )
    parser.add_argument(
        "--content", type=Path, default=None, help="forum content YAML (FORUM_CONTENT)"
    )
    parser.add_argument(
        "--web-port",
        type=int,
        default=None,
        help="the bot's own web server (health, metrics, webhook): WEB_PORT, else 8081",
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="webhook mode: the sandbox POSTs updates to the bot's web server",
    )
    parser.add_argument(
        "--flood",
        action="store_true",
        help="enforce Telegram-like flood limits (30 messages/s, about 1/s per chat): 429s",
    )


def _settings(server: SandboxServer, args: argparse.Namespace) -> Any:
    from bot.__main__ import load_settings

    overrides: dict[str, Any] = {
        "bot_token": server.world.token,
        "telegram_api_base_url": server.api_base_url,
        "telegram_file_base_url": server.file_base_url,
        "database_path": args.database,
    }
    if args.at is not None:
        overrides["clock_at"] = args.at
    if args.content is not None:
        overrides["forum_content"] = args.content
    if getattr(args, "web_port", None) is not None:
        overrides["web_port"] = args.web_port
    settings: Any = load_settings(**overrides)
    pool = frozenset(server.world.organizer_ids)
    settings = settings.model_copy(update={"admin_ids": frozenset(settings.admin_ids) | pool})
    if getattr(args, "webhook", False):
        host = settings.web_host if settings.web_host != "0.0.0.0" else "127.0.0.1"
        url = f"http://{host}:{settings.web_port}/telegram-updates"
        settings = settings.model_copy(update={"webhook_url": url})
    return settings


async def serve(args: argparse.Namespace) -> int:
    """Run until SIGINT/SIGTERM."""
    world = SandboxWorld()
    world.configure_flood(enabled=bool(getattr(args, "flood", False)))
    server = SandboxServer(world, host=args.host, port=args.port)
    try:
        await server.start()
    except OSError as exc:
        print(f"Cannot listen on {args.host}:{args.port}: {exc.strerror}. Try --port 8081.")
        return 1
    settings = _settings(server, args)
    from bot.log_format import apply_format
    from bot.logs import setup_logging

    setup_logging(settings.log_level, server.world.token)
    apply_format(settings.log_format)
    private_folder(args.database.parent)  # the database's data: the owner's only
    application = None
    try:
        application = await start_bot(server, settings)
        clock = server.world.clock_hook.to_json() if server.world.clock_hook else {}
        print(
            f"\nSandbox ready: open {server.url}/ in a browser.\n"
            f"  bot database:  {settings.database_path}\n"
            f"  forum content: {settings.forum_content}\n"
            f"  forum time:    {clock.get('now_local', '?')} ({clock.get('timezone', '?')})\n"
            f"  bot web:       {application.bot_data['services'].web.url}/healthz, /metrics"
            f" ({'webhook' if settings.webhook_url else 'polling'} mode)\n"
            f"  organizer ids: {server.world.organizer_ids[0]}..{server.world.organizer_ids[-1]}"
            " (tick 'organizer' when creating a user)\n"
            f"  bot's web:     {application.bot_data['services'].web.url}/"
            " (hall screens: send /screen as an organizer)\n"
            "Press Ctrl+C to stop.\n",
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        if application is not None:
            await stop_bot(server, application)
        await server.stop()
        logging.getLogger(__name__).info("sandbox stopped")
    return 0


def run(args: argparse.Namespace) -> int:
    """Entry point of ``forum-bot sandbox``."""
    return asyncio.run(serve(args))


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.sandbox.cli`` (the same as ``forum-bot sandbox``)."""
    parser = argparse.ArgumentParser(prog="forum-bot sandbox", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
