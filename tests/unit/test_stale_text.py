"""A stale or forged button's answer is written once: flows and handlers raise StaleButton and
the one error handler answers with its text (bot/errors.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXT = "This button has expired. Please open the menu again."


def test_the_expired_text_is_only_in_the_stale_button_error() -> None:
    copies = sorted(
        str(path.relative_to(ROOT))
        for folder in ("bot", "handlers")
        for path in (ROOT / folder).rglob("*.py")
        if TEXT in path.read_text(encoding="utf-8")
    )
    assert copies == ["bot/errors.py"]
