"""Callback data: compact ``feature:action:arg...`` strings of at most 64 bytes."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
SEPARATOR = ":"


@dataclass(frozen=True, slots=True)
class Callback:
    """A parsed button press."""

    feature: str
    action: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str = "") -> str:
        """The argument at ``index`` or ``default``."""
        return self.args[index] if index < len(self.args) else default

    def int_arg(self, index: int) -> int | None:
        """The argument at ``index`` as an int, or None if absent or not a number."""
        try:
            return int(self.args[index])
        except (IndexError, ValueError):
            return None


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
