"""Logging: stdlib, the bot token redacted from every final line, no user ids in the clear.

Redaction happens in the formatter, on the finished text: the message with its arguments and
the whole traceback chain (an exception's cause can quote a request URL, which holds the
token). Code that needs to correlate a person's log lines uses :func:`person`, a short keyed
hash whose key lives only in this process.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from typing import TextIO
from urllib.parse import quote

_REDACTED = "<BOT_TOKEN>"
# A fresh key per process: the hash correlates lines of one run and reverses to nobody.
_PERSON_KEY = secrets.token_bytes(16)
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+")


def person(user_id: int | None) -> str:
    """A short keyed hash of a user id for logs (``u:3f9a1c2e``)."""
    if user_id is None:
        return "u:-"
    digest = hmac.new(_PERSON_KEY, str(user_id).encode(), hashlib.sha256).hexdigest()
    return f"u:{digest[:8]}"


def without_urls(text: str) -> str:
    """``text`` with every URL replaced by ``<url>`` (an error to store or show)."""
    return _URL.sub("<url>", text)


def token_forms(token: str) -> list[str]:
    """The token as it can appear in text: whole, URL-quoted, and its secret part."""
    if not token:
        return []
    forms = {token, quote(token, safe=""), quote(token)}
    secret = token.split(":", 1)[-1]
    if len(secret) >= 8:
        forms.add(secret)
    return sorted(forms, key=len, reverse=True)


def redact(text: str, token: str) -> str:
    """``text`` with every form of the token replaced."""
    for form in token_forms(token):
        text = text.replace(form, _REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose every output line has the token removed."""

    def __init__(self, fmt: str, token: str) -> None:
        super().__init__(fmt)
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then redact the final text (message, arguments, traceback)."""
        return redact(super().format(record), self.token)


class ForumLogHandler(logging.StreamHandler[TextIO]):
    """The bot's own stderr handler: its type tells it apart when logging is set up again."""


def setup_logging(level: str, token: str) -> None:
    """Configure the root logger once; safe to call again (replaces our handler)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, ForumLogHandler):
            root.removeHandler(handler)
    handler = ForumLogHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token)
    )
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL, which contains the token, at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG: answers, phones, and the
    # link of an anonymous response in progress. Never worth it.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
