"""LOG_FORMAT=json: one JSON object per line, the token still redacted."""

from __future__ import annotations

import io
import json
import logging

from bot.log_format import apply_format
from bot.logs import ForumLogHandler, setup_logging

TOKEN = "123456:SECRET-token-value"


def test_json_lines_with_the_token_redacted() -> None:
    setup_logging("INFO", TOKEN)
    apply_format("json")
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, ForumLogHandler))
    stream = io.StringIO()
    handler.setStream(stream)
    log = logging.getLogger("bot.test")
    try:
        log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed with {TOKEN}")
        except RuntimeError:
            log.exception("boom")
        log.info("update", extra={"fields": {"kind": "command", "ms": 1.5}})
    finally:
        setup_logging("INFO", TOKEN)  # back to text for the other tests
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["INFO", "ERROR", "INFO"]
    assert all(TOKEN not in json.dumps(line) for line in lines)
    assert "<BOT_TOKEN>" in lines[0]["message"] and "RuntimeError" in lines[1]["exception"]
    assert lines[2]["kind"] == "command" and lines[2]["ms"] == 1.5
