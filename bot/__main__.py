"""Command line: ``forum-bot`` runs the bot; subcommands for the sandbox and content checks."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from bot.settings import Settings

NO_TOKEN_HELP = """\
BOT_TOKEN is not set.

To run the bot on Telegram, create a bot with @BotFather (send /newbot in Telegram, pick a
name), copy the token it gives you and put it into .env as BOT_TOKEN=... (see .env.example).

To try the bot without Telegram, start the local sandbox instead:
    forum-bot sandbox        then open http://127.0.0.1:8080/
"""


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, or exit 2 with one clear line per bad variable."""
    from bot.settings import Settings

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]).upper() or "SETTINGS"
            if name == "BOT_TOKEN" and error["type"] == "missing":
                print(NO_TOKEN_HELP, file=sys.stderr)
                raise SystemExit(2) from None
            problems.append(f"Configuration error: {name}: {error['msg']}")
        print("\n".join(problems), file=sys.stderr)
        raise SystemExit(2) from None


async def _bot_username(settings: Settings) -> str:
    """The bot's @username, asked from Telegram with the token."""
    from telegram import Bot

    bot = Bot(settings.bot_token.get_secret_value(), base_url=settings.telegram_api_base_url)
    async with bot:
        return str(bot.username)


def run_bot() -> int:
    """Run the bot with long polling until Ctrl+C."""
    from bot.app import build_application
    from bot.content import ContentError
    from bot.log_format import apply_format
    from bot.logs import setup_logging

    settings = load_settings()
    setup_logging(settings.log_level, settings.bot_token.get_secret_value())
    apply_format(settings.log_format)
    try:
        application = build_application(settings)
    except ContentError as exc:
        print(f"Forum content is invalid ({settings.forum_content}):\n{exc}", file=sys.stderr)
        return 2
    if settings.webhook_url:
        return asyncio.run(_serve_webhook(application))
    # run_polling stops on SIGINT/SIGTERM and runs post_shutdown: the outbox sender lets its
    # in-flight sends finish and records them (dialog steps are in the database already), the
    # database is closed.
    application.run_polling(allowed_updates=["message", "callback_query", "my_chat_member"])
    return 0


async def _serve_webhook(application: Any) -> int:
    """Webhook mode until SIGINT/SIGTERM, then the same orderly stop as polling."""
    from bot.app import start_application, stop_application

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await start_application(application)
    try:
        await stop.wait()
    finally:
        await stop_application(application)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``forum-bot`` and ``python -m bot``."""
    parser = argparse.ArgumentParser(prog="forum-bot", description="Civic Forum Bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    check = sub.add_parser("check-content", help="validate a forum content YAML file")
    check.add_argument("file", type=Path)
    from bot.sandbox.cli import add_arguments as add_sandbox_arguments

    sandbox = sub.add_parser(
        "sandbox", help="try the bot in a browser: local Telegram + web chat (127.0.0.1:8080)"
    )
    add_sandbox_arguments(sandbox)
    from bot.services.qr import add_arguments as add_qr_arguments

    qr = sub.add_parser("qr", help="write the QR code PNG of a session, speaker or survey link")
    add_qr_arguments(qr)
    backup = sub.add_parser(
        "backup", help="write a consistent copy of the database (safe while the bot runs)"
    )
    backup.add_argument(
        "path",
        nargs="?",
        type=Path,
        help="file or folder (default: BACKUP_DIR, else the current folder)",
    )
    args = parser.parse_args(argv)

    if args.command == "sandbox":
        from bot.sandbox.cli import run as run_sandbox

        return run_sandbox(args)
    if args.command == "qr":
        from bot.services.qr import given_username
        from bot.services.qr import run as run_qr

        # With the username known, the token is not needed (nothing asks Telegram).
        settings = load_settings(bot_token="0:unused")
        if given_username(args, settings) is None:
            settings = load_settings()
        return run_qr(args, settings, lambda: asyncio.run(_bot_username(settings)))
    if args.command == "backup":
        from bot.services.backup import run_cli

        # Only the database is read: no token is needed for a backup.
        return run_cli(args.path, load_settings(bot_token="0:unused"))
    if args.command == "check-content":
        from bot.check_content import check_content_main

        return check_content_main(args.file)
    return run_bot()


if __name__ == "__main__":
    sys.exit(main())
