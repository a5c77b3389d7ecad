"""Deep links and their QR codes: ``forum-bot qr session|speaker|survey|ask <id> [-o FILE]``.

A deep link is ``https://t.me/<bot>?start=<kind>_<id>``; ``/start`` hands ``<id>`` to the
opener registered in ``services.deep_links[<kind>]``. Written by the surveys engineer for the
survey kind with session and speaker included (they are the same shape); the agenda's openers
handle ``session_`` and ``speaker_``.
"""

from __future__ import annotations

import io
import sys
from argparse import ArgumentParser, Namespace
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content import ContentError, Forum, load_content

if TYPE_CHECKING:
    from bot.settings import Settings

KINDS = ("session", "speaker", "survey", "ask")  # ask: the Q&A of a session (hall QR)
# Links the bot makes besides the printable ones: join, a one-time invitation to the team
# (roles.INVITE_PREFIX; its token is no content id, so the ``qr`` command does not offer it).
LINK_KINDS = (*KINDS, "join")


def deep_link(bot_username: str, kind: str, item_id: str) -> str:
    """``https://t.me/<bot>?start=<kind>_<id>``."""
    if kind not in LINK_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return f"https://t.me/{bot_username.lstrip('@')}?start={kind}_{item_id}"


def qr_png(url: str) -> bytes:
    """A QR code of ``url`` as a PNG large enough for a screen in the hall."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=16, border=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer)
    return buffer.getvalue()


def known(forum: Forum, kind: str, item_id: str) -> bool:
    """Whether the content has this session (also for ``ask``), speaker or survey."""
    lookup = {
        "session": forum.session,
        "ask": forum.session,
        "speaker": forum.speaker,
        "survey": forum.survey,
    }[kind]
    return lookup(item_id) is not None


def add_arguments(parser: ArgumentParser) -> None:
    """The ``qr`` subcommand's arguments."""
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("id", help="the id in the content file, e.g. feedback")
    parser.add_argument("-o", "--output", type=Path, help="PNG file (default: <kind>-<id>.png)")
    parser.add_argument(
        "--bot-username",
        "--username",
        dest="username",
        help="the bot's @username (default: BOT_USERNAME, else asked from Telegram with BOT_TOKEN)",
    )


def given_username(args: Namespace, settings: Settings) -> str | None:
    """The username from ``--bot-username`` or the BOT_USERNAME setting, if any."""
    return args.username or settings.bot_username or None


def run(args: Namespace, settings: Settings, ask_username: Callable[[], str]) -> int:
    """Write the QR code PNG; print the link and the file (``ask_username`` asks Telegram
    when neither ``--bot-username`` nor BOT_USERNAME gives it)."""
    try:
        forum = load_content(settings.forum_content)
    except ContentError as exc:
        print(f"Forum content is invalid ({settings.forum_content}):\n{exc}", file=sys.stderr)
        return 2
    if not known(forum, args.kind, args.id):
        print(f"There is no {args.kind} '{args.id}' in {settings.forum_content}.", file=sys.stderr)
        return 2
    username = given_username(args, settings) or ask_username()
    link = deep_link(username, args.kind, args.id)
    output = args.output or Path(f"{args.kind}-{args.id}.png")
    output.write_bytes(qr_png(link))
    print(f"{link}\n{output}")
    return 0
