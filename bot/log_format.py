"""LOG_FORMAT=json: one JSON object per line for log collectors (Loki, ELK, journald + jq).

    {"time": "2026-12-03T05:40:00.123Z", "level": "INFO", "logger": "bot.updates",
     "message": "update kind=command handler=start.start ms=4.2 user=3f9a0c1b2d",
     "kind": "command", "handler": "start.start", "ms": 4.2, "user": "3f9a0c1b2d"}

Like the text formatter of bot/logs.py, this one redacts the token from its final output (the
whole JSON line, traceback included): the handler has one formatter, so redaction must live in
whichever formatter writes.
Structured fields come from ``extra={"fields": {...}}``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.logs import ForumLogHandler, RedactingFormatter, redact


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON, the token redacted."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line, redacted as a whole."""
        moment = datetime.fromtimestamp(record.created, UTC)
        data: dict[str, object] = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update({k: v for k, v in fields.items() if k not in data})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        return redact(json.dumps(data, ensure_ascii=False, default=str), self.token)


def apply_format(log_format: str) -> None:
    """Switch the bot's log handler (set up by bot/logs.py) to ``text`` or ``json``."""
    if log_format != "json":
        return
    for handler in logging.getLogger().handlers:
        if isinstance(handler, ForumLogHandler):
            current = handler.formatter
            token = current.token if isinstance(current, RedactingFormatter) else ""
            handler.setFormatter(JsonFormatter(token))
