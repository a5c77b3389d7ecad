"""Logging: stdlib, with the bot token redacted everywhere and httpx's request lines silenced."""

from __future__ import annotations

import logging

_REDACTED = "<BOT_TOKEN>"


class RedactTokenFilter(logging.Filter):
    """Replace the token in a record's message and arguments before any handler sees it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, _REDACTED)
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            if self.token in str(exc):
                record.exc_text = logging.Formatter().formatException(record.exc_info).replace(
                    self.token, _REDACTED
                )
        return True


def setup_logging(level: str, token: str) -> None:
    """Configure the root logger once; safe to call again (replaces our handler)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_forum_bot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler._forum_bot = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokenFilter(token))
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL, which contains the token, at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
