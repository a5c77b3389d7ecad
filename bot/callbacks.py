"""Callback data: compact ``feature:action:arg...`` strings of at most 64 bytes.

Built and parsed only here. Numbers are range-checked where they are parsed, so a forged
30-digit id becomes "no such argument" (a stale button) and never reaches SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
SEPARATOR = ":"
# SQLite's INTEGER is 64-bit; ids and pages of this bot stay far below 2**31.
INT_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Callback:
    """A parsed button press."""

    feature: str
    action: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str = "") -> str:
        """The argument at ``index`` or ``default``."""
        return self.args[index] if index < len(self.args) else default

    def int_arg(self, index: int, *, lo: int = 0, hi: int = INT_MAX) -> int | None:
        """The argument at ``index`` as an int in ``lo..hi``; None if absent, not a number or
        out of range (a forged or stale button)."""
        if index >= len(self.args):
            return None
        text = self.args[index]
        # Plain ASCII digits only: no signs, spaces, underscores or 4000-digit numbers.
        if not text.isascii() or not text.isdigit() or len(text) > 19:
            return None
        value = int(text)
        return value if lo <= value <= hi else None


def make(feature: str, action: str, *args: object) -> str:
    """Build callback data; raises ValueError if it would break Telegram's 64-byte limit."""
    parts = [feature, action, *(str(a) for a in args)]
    if any(SEPARATOR in p for p in parts):
        raise ValueError(f"callback part contains {SEPARATOR!r}: {parts}")
    data = SEPARATOR.join(parts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """Parse callback data; None when it is not ours (forged or from an old version)."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    parts = data.split(SEPARATOR)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return Callback(parts[0], parts[1], tuple(parts[2:]))


def pattern(feature: str) -> str:
    """The regex a CallbackQueryHandler uses to receive ``feature``'s buttons."""
    return rf"^{feature}{SEPARATOR}"
